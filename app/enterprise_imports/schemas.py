from app.imports.schemas import UploadRead


class EnterpriseImportRead(UploadRead):
    province_code: str | None
