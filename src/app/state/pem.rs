//! The PEM dialog: Atlas's answer, the one copy of its private key, until
//! it is saved, copied or discarded.

use std::sync::Arc;

use tui_input::Input;

use super::{CertInfo, Held, RequestId};
use atlas_client::IssuedPem;

#[derive(Debug, PartialEq, Eq)]
pub enum PemPrompt {
    None,
    SavePath,
    Overwrite(std::path::PathBuf),
    /// Closing (or quitting) with the key neither saved nor copied.
    Discard {
        then_quit: bool,
    },
    /// Closing after a copy, with the key still kept on disk: did the paste
    /// work? Only a yes lets the kept file go.
    CopyCheck {
        then_quit: bool,
    },
}

#[derive(Debug)]
pub struct PemModal {
    pub pem: Arc<IssuedPem>,
    pub info: Option<CertInfo>,
    /// Why the answer is not a usable certificate + key, if it is not.
    pub problem: Option<String>,
    pub username: String,
    pub scroll: u16,
    pub reveal_key: bool,
    pub saved_to: Vec<std::path::PathBuf>,
    /// Save as `.crt` + `.key` instead of one combined PEM.
    pub split: bool,
    pub copied: Option<String>,
    pub prompt: PemPrompt,
    pub path: Input,
    pub busy: Option<RequestId>,
    pub error: Option<String>,
    /// Where the key lives until it is handed over.
    pub held: Held,
}

impl PemModal {
    pub fn handed_over(&self) -> bool {
        !self.saved_to.is_empty() || self.copied.is_some()
    }

    /// Lines of PEM text on screen: a masked key shows as one line.
    pub fn shown_line_count(&self) -> usize {
        let mut in_key = false;
        let mut n = 0;
        for line in self.pem.expose().lines() {
            let marker = line.contains("PRIVATE KEY");
            if line.starts_with("-----BEGIN") && marker {
                in_key = true;
                n += 1;
            } else if line.starts_with("-----END") && marker {
                in_key = false;
                n += if self.reveal_key { 1 } else { 2 };
            } else if !in_key || self.reveal_key {
                n += 1;
            }
        }
        n
    }
}
