//! The integration tests, one binary (one link instead of twenty-one):
//! the state machine, screens, client <-> simulator, the Atlas contract,
//! faults, rotation, the real binary in tmux. `cargo test --test it
//! screens::` runs one module. The X11 clipboard test is a binary of its
//! own: it sets DISPLAY for the whole process.

mod common;

mod app_update;
mod client_sim;
mod config;
mod contract;
mod e2e_tmux;
mod event_loop;
mod expiring_view;
mod faults;
mod habits;
mod headless;
mod keyring;
mod kubernetes;
mod lifecycle_dialogs;
mod live_paths;
mod manuals;
mod operators;
mod peers;
mod properties;
mod render_sweep;
mod rotation;
mod screens;
mod script_output;
mod secrets;
mod tables;
mod unattended;
mod user_account;
