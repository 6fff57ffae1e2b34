//! Applications (办件): a citizen's or company's request for a matter. Online, the applicant
//! (a registered account, [`register`]) fills the form of the matter's current version, attaches
//! the materials the guide asks for, saves a draft and comes back, submits and gets an
//! application number; the hall's window clerks find it in their acceptance queue (the same one
//! counter applications will join) and accept it — which starts its approval workflow — reject
//! it with a reason, or ask for a supplement (补正) the applicant adds online. Its status follows
//! its approval to the end. [`repo`] holds the rules and the store.

pub mod accept;
pub mod counter;
pub mod posted;
pub mod rating;
pub mod register;
pub mod repo;
pub mod status;

pub use accept::{
    Decision, decide, on_approved, on_refused, on_special_ended, on_special_started,
    on_supplement_asked, refusal_word,
};
pub use counter::{Applicant, Check, CounterFiling};
pub use register::{Registration, register};
pub use repo::{Application, QueueQuery, Save, get, mine, of_approval, queue, reveal, save};
pub use status::Status;
