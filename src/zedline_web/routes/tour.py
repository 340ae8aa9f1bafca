"""The first-visit guided tour and the help page.

The tour itself runs in the browser (static/tour.js) over steps the layout renders while the
user's `tour_done` is False (templates/_tour.html). The server only keeps that flag: "Don't
show again" and finishing the tour set it, "Take the tour again" clears it. The help page
explains the same controls in plain text and works without JavaScript.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_204_NO_CONTENT, HTTP_303_SEE_OTHER

from zedline.accounts.services import mark_tour_done
from zedline.i18n import N_
from zedline_web.context import ActorDep, PortalDep, PortalInfo, ZlDep
from zedline_web.routes.auth import safe_next
from zedline_web.templating import flash, render

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
# tour.js sends this header: it wants a bare answer, not a page to follow.
SCRIPT_HEADER = "x-requested-with"


def _start(portal: PortalInfo) -> str:
    """Where the tour begins: the client's list or the operators' journal."""
    return f"/p/{portal.slug}/tickets"


def _next(portal: PortalInfo, data: dict[str, Any]) -> str:
    value = data.get("next")
    return safe_next(portal, value if isinstance(value, str) else None) or _start(portal)


def _from_script(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get(SCRIPT_HEADER, "").lower() == "fetch"


@get("/p/{slug:str}/help", sync_to_thread=True, name="help")
def help_page(request: Request[Any, Any, Any], portal: PortalDep, actor: ActorDep) -> Template:
    """How this helpdesk works, for the user's role, in one sentence per control."""
    return render(request, "help.html", portal=portal, role=actor.role.value)


@post("/p/{slug:str}/tour/done", sync_to_thread=True, name="tour_done")
def tour_done(
    request: Request[Any, Any, Any],
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    data: Form,
) -> Response[Any] | Redirect:
    """The user finished the tour or asked not to see it again."""
    mark_tour_done(zl.uow(), actor, done=True)
    if _from_script(request):
        return Response(content=None, status_code=HTTP_204_NO_CONTENT)
    flash(request, "success", N_("The tour will not show again. The Help menu can replay it."))
    return Redirect(_next(portal, data), status_code=HTTP_303_SEE_OTHER)


@post("/p/{slug:str}/tour/replay", sync_to_thread=True, name="tour_replay")
def tour_replay(
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    data: Form,
) -> Redirect:
    """Show the tour again, starting on the page where it begins."""
    mark_tour_done(zl.uow(), actor, done=False)
    return Redirect(_next(portal, data), status_code=HTTP_303_SEE_OTHER)


ROUTES: list[Any] = [help_page, tour_done, tour_replay]
