"""The owner's unlock box, and the one check every control and upload makes: may_control().
The rules and settings are dashboard/access.py's; this module only asks them for this session."""
from __future__ import annotations

import streamlit as st
from streamlit import config

from dashboard import access
from dashboard.state import viewer_id

UNLOCKED_KEY = "owner-unlocked"  # st.session_state: this browser session gave the password


def unlocked() -> bool:
    return bool(st.session_state.get(UNLOCKED_KEY))


def _access() -> access.Access | None:
    try:
        return access.read_access()
    except access.AccessError:
        return None  # owner_gate() says why, and shows no page


def may_control() -> bool:
    """Whether this session may start, pause, stop, resume, delete, roll back, upload and use the
    2D Lab. A bad setting: nobody may."""
    settings = _access()
    return settings is not None and settings.may_control(unlocked())


def control_note() -> str:
    """Why the controls are not there, for a page that would have shown them."""
    settings = _access()
    return access.READ_ONLY_NOTE if settings is None or settings.read_only else access.LOCKED_NOTE


def locked_note() -> str | None:
    """The note for a session that the password would let control; None when it controls already,
    or when nothing would (viewer mode)."""
    settings = _access()
    if settings is None or settings.read_only or settings.may_control(unlocked()):
        return None
    return access.LOCKED_NOTE


def feed_token(viewer: str) -> str:
    """The live feed's token for this session's browser script: only once it unlocked."""
    settings = _access()
    return access.feed_token(viewer) if settings and settings.has_password and unlocked() else ""


def owner_gate() -> bool:
    """Run by navigation.py before every page: says what the settings mean for this session (a
    bad setting, a server anyone on the network may control), draws the unlock box, and returns
    whether the page may be shown (watching may need the password)."""
    try:
        settings = access.read_access()
    except access.AccessError as exc:
        st.error(f"This server cannot show anything until whoever runs it fixes a setting: {exc}")
        return False
    warning = access.open_network_warning(settings, config.get_option("server.address"))
    if warning:
        st.warning(warning, icon=":material/public:")
    if not settings.asks_password:
        return True
    if settings.may_watch(unlocked()):
        owner_box(settings, st.sidebar)
        return True
    st.title("GAN Studio")
    st.info("Watching runs on this server needs the owner password.", icon=":material/lock:")
    owner_box(settings, st.container(width=420))
    return False


def owner_box(settings: access.Access, where) -> None:
    """The unlock box: what the password unlocks, the field, and Lock once unlocked."""
    with where:
        st.markdown("**Owner**")
        if unlocked():
            st.caption(f"Unlocked in this browser tab: {settings.unlocks()}, until you lock it, "
                       "reload or close the tab.")
            if st.button("Lock", key="owner-lock", icon=":material/lock:"):
                st.session_state[UNLOCKED_KEY] = False
                st.rerun()
            return
        st.caption(f"The owner password unlocks {settings.unlocks()} in this browser tab, until "
                   "you lock it, reload or close the tab.")
        with st.form("owner-unlock", clear_on_submit=True, border=False):
            given = st.text_input("Owner password", type="password", key="owner-password")
            pressed = st.form_submit_button("Unlock", icon=":material/lock_open:")
        if pressed:
            verdict = access.THROTTLE.check(viewer_id(), given, settings.password)
            if verdict.ok:
                st.session_state[UNLOCKED_KEY] = True
                st.rerun()
            st.error(verdict.message)
