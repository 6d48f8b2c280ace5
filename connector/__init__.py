"""The custom connector definition (OpenAPI 2.0) of the function app, generated from the code.

`python -m connector.generate` writes `connector/apiDefinition.swagger.json` and `connector/apiProperties.json`
from the pydantic models (shared/models/common.py, shared/actions/parsing.py, connector/shapes.py) and the routes that
`function_app.app` registers; tests/connector fails when the committed files are stale.

- `routes.py`      the app's HTTP functions (name, route, methods), as devserver/catalog.py reads them;
- `swagger.py`     pydantic JSON Schema -> Swagger 2.0 schema objects and definitions;
- `shapes.py`      the shapes only the connector names (list page, trigger batches, error body), and the
                   display names (`x-ms-summary`) of every property;
- `operations.py`  one entry per HTTP function: the operations it becomes, or why it is left out;
- `generate.py`    puts it together and writes the two files.
"""
