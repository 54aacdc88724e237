//! The compiled-in bindings. Pane-specific entries come before the generic
//! ones they override.

use crossterm::event::{KeyCode, KeyModifiers};

use super::{Action, Scope};

/// A default binding, as compiled in.
pub struct DefaultBinding {
    pub scope: Scope,
    pub keys: &'static [(KeyCode, KeyModifiers)],
    pub label: &'static str,
    pub action: Action,
    pub desc: &'static str,
}

pub(super) const NONE: KeyModifiers = KeyModifiers::NONE;
pub(super) const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
pub(super) const CTRL: KeyModifiers = KeyModifiers::CONTROL;

macro_rules! b {
    ($scope:ident, $label:literal, $action:ident, $desc:literal, [$(($code:expr, $m:expr)),+]) => {
        DefaultBinding { scope: Scope::$scope, keys: &[$(($code, $m)),+], label: $label, action: Action::$action, desc: $desc }
    };
}

use KeyCode::*;

pub static DEFAULTS: &[DefaultBinding] = &[
    b!(Global, "^C", Quit, "quit", [(Char('c'), CTRL)]),
    b!(
        Global,
        "^Z",
        Suspend,
        "suspend (fg resumes)",
        [(Char('z'), CTRL)]
    ),
    // Pane-specific keys come first: they win over the generic ones.
    b!(Projects, "/", Filter, "filter", [(Char('/'), NONE)]),
    b!(
        Projects,
        "X",
        DisableCustomerX509,
        "disable customer X.509",
        [(Char('X'), SHIFT), (Char('X'), NONE)]
    ),
    b!(
        Projects,
        "C",
        UploadCa,
        "upload a customer CA",
        [(Char('C'), SHIFT), (Char('C'), NONE)]
    ),
    b!(Projects, "Enter", Open, "open: its users", [(Enter, NONE)]),
    b!(Users, "/", Filter, "filter", [(Char('/'), NONE)]),
    b!(
        Users,
        "Enter",
        Open,
        "open: their certificates",
        [(Enter, NONE)]
    ),
    b!(
        Certs,
        "/",
        Filter,
        "filter by serial or subject",
        [(Char('/'), NONE)]
    ),
    b!(
        Certs,
        "o",
        Sort,
        "sort by created / expires",
        [(Char('o'), NONE)]
    ),
    b!(
        Certs,
        "O",
        Reverse,
        "reverse the order",
        [(Char('O'), SHIFT), (Char('O'), NONE)]
    ),
    b!(
        Certs,
        "Enter",
        Details,
        "certificate details",
        [(Enter, NONE)]
    ),
    b!(
        Users,
        "i",
        Issue,
        "issue cert",
        [(Char('i'), NONE), (Char('c'), NONE)]
    ),
    b!(
        Users,
        "a",
        CreateUser,
        "add an X.509 user",
        [(Char('a'), NONE)]
    ),
    b!(
        Certs,
        "i",
        Issue,
        "issue cert",
        [(Char('i'), NONE), (Char('c'), NONE)]
    ),
    b!(
        Certs,
        "n/]",
        NextPage,
        "next Atlas page",
        [(Char('n'), NONE), (Char(']'), NONE)]
    ),
    b!(
        Certs,
        "p/[",
        PrevPage,
        "previous Atlas page",
        [(Char('p'), NONE), (Char('['), NONE)]
    ),
    b!(
        Certs,
        "P",
        FirstPage,
        "first Atlas page",
        [(Char('P'), SHIFT), (Char('P'), NONE)]
    ),
    b!(
        Certs,
        "N",
        LastPage,
        "last Atlas page",
        [(Char('N'), SHIFT), (Char('N'), NONE)]
    ),
    b!(
        Certs,
        "+",
        MorePerPage,
        "more per page",
        [(Char('+'), NONE), (Char('+'), SHIFT)]
    ),
    b!(
        Certs,
        "-",
        FewerPerPage,
        "fewer per page",
        [(Char('-'), NONE)]
    ),
    b!(
        Panes,
        "Tab",
        FocusNext,
        "next pane",
        [(Tab, NONE), (Char('l'), NONE), (Right, NONE)]
    ),
    b!(
        Panes,
        "S-Tab",
        FocusPrev,
        "prev pane",
        [
            (BackTab, SHIFT),
            (BackTab, NONE),
            (Char('h'), NONE),
            (Left, NONE)
        ]
    ),
    b!(
        Panes,
        "j/↓",
        Down,
        "down",
        [(Char('j'), NONE), (Down, NONE)]
    ),
    b!(Panes, "k/↑", Up, "up", [(Char('k'), NONE), (Up, NONE)]),
    b!(
        Panes,
        "g/Home",
        Top,
        "top",
        [(Char('g'), NONE), (Home, NONE)]
    ),
    b!(
        Panes,
        "G/End",
        Bottom,
        "bottom",
        [(Char('G'), SHIFT), (Char('G'), NONE), (End, NONE)]
    ),
    b!(Panes, "PgDn", PageDown, "page down", [(PageDown, NONE)]),
    b!(Panes, "PgUp", PageUp, "page up", [(PageUp, NONE)]),
    b!(Panes, "r", Refresh, "refresh", [(Char('r'), NONE)]),
    b!(Panes, "e", Expiring, "expiring", [(Char('e'), NONE)]),
    b!(Panes, "m", Messages, "messages", [(Char('m'), NONE)]),
    b!(
        Panes,
        "?",
        Help,
        "help",
        [(Char('?'), NONE), (Char('?'), SHIFT)]
    ),
    b!(
        Panes,
        ":",
        Command,
        "command line (:project, :user, :expiring)",
        [(Char(':'), NONE), (Char(':'), SHIFT)]
    ),
    b!(
        Panes,
        "Esc",
        Back,
        "back: clear the filter, else the previous pane",
        [(Esc, NONE)]
    ),
    b!(Panes, "q", Quit, "quit", [(Char('q'), NONE)]),
    b!(
        Issue,
        "←/h/-",
        Less,
        "fewer months",
        [(Left, NONE), (Char('h'), NONE), (Char('-'), NONE)]
    ),
    b!(
        Issue,
        "→/l/+",
        More,
        "more months",
        [
            (Right, NONE),
            (Char('l'), NONE),
            (Char('+'), NONE),
            (Char('+'), SHIFT)
        ]
    ),
    b!(Issue, "Home", Min, "1 month", [(Home, NONE)]),
    b!(Issue, "End", Max, "24 months", [(End, NONE)]),
    b!(Issue, "Enter", Confirm, "issue", [(Enter, NONE)]),
    b!(Issue, "Esc", Back, "cancel", [(Esc, NONE)]),
    b!(
        Issue,
        "a",
        IssueAgain,
        "issue another (after a lost answer)",
        [(Char('a'), NONE)]
    ),
    b!(Pem, "s", Save, "save", [(Char('s'), NONE)]),
    b!(
        Pem,
        "y/c",
        Copy,
        "copy",
        [(Char('y'), NONE), (Char('c'), NONE)]
    ),
    b!(Pem, "v", Reveal, "show/hide key", [(Char('v'), NONE)]),
    b!(
        Pem,
        "#",
        CopySerial,
        "copy the serial",
        [(Char('#'), NONE), (Char('#'), SHIFT)]
    ),
    b!(
        Pem,
        "F",
        CopyFingerprint,
        "copy the SHA-256 fingerprint",
        [(Char('F'), SHIFT), (Char('F'), NONE)]
    ),
    b!(
        Pem,
        "M",
        CopyMongosh,
        "copy the mongosh command",
        [(Char('M'), SHIFT), (Char('M'), NONE)]
    ),
    b!(
        Pem,
        "j/↓",
        Down,
        "scroll down",
        [(Char('j'), NONE), (Down, NONE)]
    ),
    b!(Pem, "k/↑", Up, "scroll up", [(Char('k'), NONE), (Up, NONE)]),
    b!(
        Pem,
        "Esc/q",
        Back,
        "close",
        [(Esc, NONE), (Char('q'), NONE)]
    ),
    b!(
        Disable,
        "Enter",
        Confirm,
        "disable (once the name is typed)",
        [(Enter, NONE)]
    ),
    b!(Disable, "Esc", Back, "cancel", [(Esc, NONE)]),
    b!(
        Disable,
        "^S",
        SaveBundle,
        "save the CA bundle to a file first",
        [(Char('s'), CTRL)]
    ),
    b!(
        Details,
        "#",
        CopySerial,
        "copy the serial",
        [(Char('#'), NONE), (Char('#'), SHIFT)]
    ),
    b!(
        Details,
        "M",
        CopyMongosh,
        "copy the mongosh command",
        [(Char('M'), SHIFT), (Char('M'), NONE)]
    ),
    b!(
        Details,
        "Esc/Enter/q",
        Back,
        "close",
        [(Esc, NONE), (Enter, NONE), (Char('q'), NONE)]
    ),
    b!(Expiring, "Enter", Confirm, "rotate", [(Enter, NONE)]),
    b!(
        Expiring,
        "t",
        ToggleScope,
        "this project/all",
        [(Char('t'), NONE)]
    ),
    b!(Expiring, "r", Refresh, "rescan", [(Char('r'), NONE)]),
    b!(
        Expiring,
        "j/↓",
        Down,
        "down",
        [(Char('j'), NONE), (Down, NONE)]
    ),
    b!(Expiring, "k/↑", Up, "up", [(Char('k'), NONE), (Up, NONE)]),
    b!(
        Expiring,
        "g/Home",
        Top,
        "top",
        [(Char('g'), NONE), (Home, NONE)]
    ),
    b!(
        Expiring,
        "G/End",
        Bottom,
        "bottom",
        [(Char('G'), SHIFT), (Char('G'), NONE), (End, NONE)]
    ),
    b!(Expiring, "PgDn", PageDown, "page down", [(PageDown, NONE)]),
    b!(Expiring, "PgUp", PageUp, "page up", [(PageUp, NONE)]),
    b!(
        Expiring,
        "?",
        Help,
        "help",
        [(Char('?'), NONE), (Char('?'), SHIFT)]
    ),
    b!(
        Expiring,
        "Esc/e",
        Back,
        "back to the panes",
        [(Esc, NONE), (Char('e'), NONE)]
    ),
    b!(Expiring, "m", Messages, "messages", [(Char('m'), NONE)]),
    b!(Expiring, "q", Quit, "quit", [(Char('q'), NONE)]),
    b!(
        Help,
        "Esc/?/q",
        Back,
        "close",
        [
            (Esc, NONE),
            (Char('?'), NONE),
            (Char('?'), SHIFT),
            (Char('q'), NONE)
        ]
    ),
    b!(
        Help,
        "j/↓",
        Down,
        "scroll down",
        [(Char('j'), NONE), (Down, NONE)]
    ),
    b!(
        Help,
        "k/↑",
        Up,
        "scroll up",
        [(Char('k'), NONE), (Up, NONE)]
    ),
    b!(
        Help,
        "PgDn",
        PageDown,
        "page down",
        [(PageDown, NONE), (Char(' '), NONE)]
    ),
    b!(Help, "PgUp", PageUp, "page up", [(PageUp, NONE)]),
    b!(
        Help,
        "g/Home",
        Top,
        "top",
        [(Char('g'), NONE), (Home, NONE)]
    ),
    b!(
        Help,
        "G/End",
        Bottom,
        "bottom",
        [(Char('G'), SHIFT), (Char('G'), NONE), (End, NONE)]
    ),
    // The answers to a dialog's questions; anything else leaves it open.
    b!(
        Prompt,
        "y",
        Yes,
        "yes (overwrite, discard the key, the paste worked)",
        [(Char('y'), NONE), (Char('Y'), SHIFT), (Char('Y'), NONE)]
    ),
    b!(
        Prompt,
        "n/Esc",
        No,
        "no, the default: nothing is let go",
        [
            (Char('n'), NONE),
            (Char('N'), SHIFT),
            (Char('N'), NONE),
            (Esc, NONE)
        ]
    ),
    // Typing into a field: every other key is text.
    b!(
        Input,
        "Enter",
        Confirm,
        "accept: keep the filter, save, read the file, create, upload",
        [(Enter, NONE)]
    ),
    b!(
        Input,
        "Esc",
        Back,
        "leave: clear the filter, cancel (nothing is sent)",
        [(Esc, NONE)]
    ),
    b!(
        Input,
        "Tab",
        SwitchField,
        "switch field; in the save prompt, one file or .crt + .key",
        [(Tab, NONE), (BackTab, SHIFT), (BackTab, NONE)]
    ),
];
