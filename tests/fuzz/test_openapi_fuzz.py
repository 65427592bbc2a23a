"""schemathesis over the OpenAPI document, in process, as an admin and as an enterprise.

Every generated request, valid or not, must get an answer that is not a 5xx, whose status
the operation documents, and whose body and content type match what the document says.
The schema is the app's own document; each call goes to the module's app over ASGI.
"""

import schemathesis
from schemathesis import Case

from app.auth.models import Role
from app.config import Settings
from app.main import create_app
from app.openapi import access_roles, api_routes
from tests.fuzz.conftest import FuzzWorld
from tests.fuzz.settings import config

# The document does not depend on the database; the app that answers is fuzz_world's.
_APP = create_app(Settings(database_url="sqlite://"))
DOCUMENT = _APP.openapi()
# An enterprise key gets 403 from every other route before any input is read
# (tests/api/test_openapi_errors.py checks that); fuzzing those would only repeat it.
ENTERPRISE_OPERATIONS = sorted(
    f"{method} {path}"
    for path, route in api_routes(_APP)
    for method in route.methods or ()
    if Role.enterprise in (access_roles(route.dependant) or ())
)

admin_schema = schemathesis.openapi.from_dict(DOCUMENT, config=config(coverage=True))
enterprise_schema = schemathesis.openapi.from_dict(DOCUMENT, config=config(coverage=False)).include(
    name=ENTERPRISE_OPERATIONS
)


def _call(case: Case, fuzz: FuzzWorld, key: str) -> None:
    # Revoking the key the run uses would turn every later request into a 401.
    params = case.path_parameters or {}
    if case.operation.path.endswith("/revoke") and params.get("key_id") in fuzz.own_key_ids:
        params["key_id"] = fuzz.world.key
    headers = {"Authorization": f"Bearer {key}"}
    response = case.call(app=fuzz.app, headers=headers)
    fuzz.statuses[response.status_code] += 1
    case.validate_response(response, headers=headers)


@admin_schema.parametrize()
def test_as_admin(case: Case, fuzz_world: FuzzWorld) -> None:
    _call(case, fuzz_world, fuzz_world.admin_key)


@enterprise_schema.parametrize()
def test_as_enterprise(case: Case, fuzz_world: FuzzWorld) -> None:
    # Its own enterprise, so the feeds routes are reached rather than answering 404.
    if case.path_parameters and "enterprise_id" in case.path_parameters:
        case.path_parameters["enterprise_id"] = fuzz_world.world.ent
    _call(case, fuzz_world, fuzz_world.enterprise_key)
