"""The custom connector definition (OpenAPI 2.0) of the function app, generated from the code.

`python -m connector.generate` writes `connector/apiDefinition.swagger.json` and `connector/apiProperties.json`
from the pydantic models (shared/models/, the request models of shared/actions/, connector/shapes.py) and the
routes that `function_app.app` registers; tests/connector fails when the committed files are stale.

- `routes.py`      the app's HTTP functions (name, route, methods), as devserver/catalog.py reads them;
- `swagger.py`     pydantic JSON Schema -> Swagger 2.0 schema objects and definitions;
- `shapes.py`      the shapes only the connector names (list pages, trigger batches, error body);
- `parts.py`       what operations are built from (`Op`: route ids, body, query, answer), `*_operations.py` the
                   actions declared with it;
- `dropdowns.py`   keeps the dropdowns whose list operation is in the definition;

Display names, descriptions, visibility and dropdowns of inputs and answers sit on the models' fields
(`Field(title=..., description=..., json_schema_extra=designer(...))`, shared/models/designer.py); a field without a
title stops the generator.
- `operations.py`  one entry per HTTP function: the operations it becomes, or why it is left out;
- `generate.py`    puts it together and writes the two files.
"""
