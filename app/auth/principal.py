"""Who is asking. Services receive a Principal and scope every query by it."""

from dataclasses import dataclass

from app.auth.models import Role
from app.common.identifiers import region_prefix


@dataclass(frozen=True)
class Principal:
    role: Role
    key_id: int | None = None  # None: the local development key or a CLI/system action
    institution_id: int | None = None
    enterprise_id: int | None = None
    province_code: str | None = None
    request_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    @property
    def province_prefix(self) -> str:
        """Region-code prefix of the bound province (``410000`` → ``41``)."""
        return region_prefix(self.province_code or "")

    def acts_for_institution(self, institution_id: int | None) -> bool:
        """The admin, or the institution's own key: who writes its rows and sees its own data."""
        return self.is_admin or (
            self.role is Role.institution and institution_id == self.institution_id
        )

    def acts_for_enterprise(self, enterprise_id: int | None) -> bool:
        """The admin, or the enterprise's own key: who writes its rows and sees its own data."""
        return self.is_admin or (
            self.role is Role.enterprise and enterprise_id == self.enterprise_id
        )


SYSTEM = Principal(role=Role.admin)
