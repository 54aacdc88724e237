//! Dialogs drawn over the panes, between the header and the status line:
//! which one is open decides which file draws it.

use ratatui::Frame;

use super::theme::Theme;
use crate::app::{Modal, State};

pub fn draw(f: &mut Frame, state: &State, theme: &Theme) {
    let screen = f.area();
    // Between the header and the status line: both stay readable.
    let area = crate::layout::dialog_area(screen);
    match &state.modal {
        Some(Modal::Issue(m)) => super::issue::issue(f, area, state, m, theme),
        Some(Modal::Pem(m)) => super::pem::pem(f, screen, state, m, theme),
        Some(Modal::Disable(m)) => super::disable::disable(f, area, state, m, theme),
        Some(Modal::Help(view)) => super::help::help(f, screen, state, view, theme),
        Some(Modal::CertDetail(d)) => super::help::cert_detail(f, area, state, d, theme),
        Some(Modal::CreateUser(m)) => super::create_user::draw(f, area, state, m, theme),
        Some(Modal::Upload(m)) => super::upload_ca::draw(f, area, state, m, theme),
        Some(Modal::Messages(view)) => super::messages::draw(f, screen, state, view, theme),
        Some(Modal::Command(_)) | None => {}
    }
}
