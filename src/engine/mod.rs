//! The metering rules, pure: the schedule of periods, the meter that draws
//! each scan from them, the charge lines, the projection to the term's end
//! and the allocation of shared costs. No I/O and no threads.

pub mod allocation;
pub mod charges;
pub mod core_days;
pub mod meter;
pub(crate) mod projection;
