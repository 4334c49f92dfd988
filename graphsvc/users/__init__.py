"""People who sign in to the web app: accounts, roles per workspace, sessions."""

from graphsvc.users.repository import UserRepository
from graphsvc.users.schemas import SignedIn, UserCreate, UserRead, WorkspaceRole
from graphsvc.users.service import UserService

__all__ = ["SignedIn", "UserCreate", "UserRead", "UserRepository", "UserService", "WorkspaceRole"]
