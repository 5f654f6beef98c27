"""The main menu's buttons, which most answers end with (`handlers.menu` shows the menu;
the conversations it leads to put its buttons under their answers without importing it)."""

from __future__ import annotations

from handlers.context import Context
from handlers.events import Button
from storage.models import Role
from storage.queries import STAGES


def buttons(ctx: Context) -> list[list[Button]]:
    rows = [
        [
            Button(ctx._("📋 Work plan"), "pl:list"),
            Button(ctx._("📝 Self-assessment"), "as:start"),
        ],
    ]
    if ctx.person is not None and ctx.person.role in STAGES:
        rows.append([Button(ctx._("🗂 Review"), "rv:next"), Button(ctx._("📈 Status"), "mn:status")])
        rows.append([Button(ctx._("➕ Assign a task"), "ag:start")])
    if ctx.person is not None and ctx.person.role is Role.DIRECTOR:
        rows.append([Button(ctx._("⚖️ Discipline and conclusions"), "cc:list")])
    rows += [
        [Button(ctx._("📊 Result"), "mn:result"), Button(ctx._("📅 Annual rating"), "mn:year")],
        [Button(ctx._("🖨 Official forms"), "mn:forms"), Button(ctx._("❓ Help"), "mn:help")],
        [Button(ctx._("🌐 Language"), "mn:lang"), Button(ctx._("📱 Messengers"), "ms:show")],
    ]
    return rows
