//! Rotation's arithmetic, shared by the headless `rotate` and the TUI's
//! expiring view: which certificate is a user's newest, how long it was
//! issued for, and whether a replacement would outlive the window.

use jiff::{Timestamp, ToSpan};

use atlas_client::UserCert;

/// The months a certificate was issued for: from issuance (Atlas sets
/// `createdAt` an hour before it) to `notAfter`, to the nearest month,
/// within 1..=24.
pub fn months_of(c: &UserCert) -> u8 {
    let issued = c.created_at.checked_add(1.hour()).unwrap_or(c.created_at);
    let days = (c.not_after.as_second() - issued.as_second()) as f64 / 86_400.0;
    (days / 30.44).round().clamp(1.0, 24.0) as u8
}

/// Would a certificate issued now for `months` outlive the window? If not,
/// rotating gains nothing and the next run would rotate it again.
pub fn outlives(now: Timestamp, months: u8, horizon: Timestamp) -> bool {
    let end = now.as_second() + i64::from(months) * 2_629_746; // mean month
    end > horizon.as_second()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(id: u64, created: &str, not_after: &str) -> UserCert {
        UserCert {
            id,
            created_at: created.parse().unwrap(),
            not_after: not_after.parse().unwrap(),
            subject: "CN=x".into(),
            group_id: None,
        }
    }

    #[test]
    fn months_come_back_from_the_dates() {
        assert_eq!(
            months_of(&cert(1, "2026-08-10T02:06:35Z", "2026-11-10T03:06:35Z")),
            3
        );
        assert_eq!(
            months_of(&cert(1, "2026-01-01T00:00:00Z", "2028-01-01T01:00:00Z")),
            24
        );
        assert_eq!(
            months_of(&cert(1, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z")),
            1
        );
        assert_eq!(
            months_of(&cert(1, "2026-01-01T00:00:00Z", "2040-01-01T00:00:00Z")),
            24
        );
        assert_eq!(
            months_of(&cert(1, "2026-01-01T00:00:00Z", "2020-01-01T00:00:00Z")),
            1
        );
    }

    #[test]
    fn a_replacement_must_outlive_the_window() {
        let now: Timestamp = "2026-11-30T00:00:00Z".parse().unwrap();
        let in_days = |d: i64| {
            now.checked_add(jiff::SignedDuration::from_hours(24 * d))
                .unwrap()
        };
        assert!(outlives(now, 1, in_days(30)));
        assert!(!outlives(now, 1, in_days(31)));
        assert!(outlives(now, 3, in_days(60)));
        assert!(!outlives(now, 24, in_days(800)));
    }
}
