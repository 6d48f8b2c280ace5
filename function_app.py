"""The Azure Functions entry point: builds the FunctionApp and registers the blueprints; nothing else."""

import azure.functions as func

from functions.contacts import bp as contacts
from functions.operations import bp as operations
from functions.trigger_api import bp as trigger_api
from functions.triggers import bp as triggers

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
app.register_functions(contacts)
app.register_functions(triggers)
app.register_functions(trigger_api)
app.register_functions(operations)
