"""Dependencies routes ask for; the container is built once per app and shared."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from assistant.chat import ChatService, chat_service
from assistant.container import Container


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def get_chat(container: ContainerDep) -> ChatService:
    return chat_service(container)


ChatDep = Annotated[ChatService, Depends(get_chat)]
