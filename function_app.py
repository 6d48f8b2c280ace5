"""The Azure Functions entry point: builds the FunctionApp and registers the blueprints; nothing else."""

import azure.functions as func

from functions.companies import bp as companies
from functions.contacts import bp as contacts
from functions.conversations import bp as conversations
from functions.intake import bp as intake
from functions.intercom_request import bp as intercom_request
from functions.messages import bp as messages
from functions.operations import bp as operations
from functions.tickets import bp as tickets
from functions.trigger_api import bp as trigger_api
from functions.triggers import bp as triggers
from functions.workspace import bp as workspace

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
app.register_functions(contacts)
app.register_functions(companies)
app.register_functions(conversations)
app.register_functions(tickets)
app.register_functions(messages)
app.register_functions(intercom_request)
app.register_functions(workspace)
app.register_functions(triggers)
app.register_functions(trigger_api)
app.register_functions(operations)
app.register_functions(intake)
