//! The one-window counter (一窗综合服务受理) of a service hall: its windows with the matters each
//! takes (a comprehensive window, 综合窗口, takes them all) and the clerks assigned to them
//! ([`windows`]); queue tickets taken at the hall's kiosk (取号), called to a window (叫号) and
//! shown on the hall's display ([`queue`]). Receiving an applicant in person — finding them by ID
//! number, reusing their earlier materials, filing the form on their behalf — is in
//! [`crate::applications::counter`].

pub mod demo;
pub mod queue;
pub mod windows;

pub use queue::{Called, Display, Ticket};
pub use windows::{Window, WindowSave};
