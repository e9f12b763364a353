//! `sshook serve`, the receiver Smartsupp posts to: [`http`] takes requests, [`intake`] judges
//! each body with the shared reader, [`store`] keeps it on disk durably before it is answered.

pub mod http;
pub mod intake;
pub mod store;
