//! Rotation's arithmetic, shared by the headless `rotate` and the TUI's
//! expiring view: which certificate is a user's newest, how long it was
//! issued for, and whether a replacement would outlive the window.

use jiff::{SignedDuration, Timestamp, ToSpan};

use atlas_client::UserCert;

/// The months a certificate was issued for: from issuance (Atlas sets
/// `createdAt` an hour before it) to `notAfter`, to the nearest month,
/// within 1..=24.
pub fn months_of(c: &UserCert) -> u8 {
    let issued = c.created_at.checked_add(1.hour()).unwrap_or(c.created_at);
    let days = (c.not_after.as_second() - issued.as_second()) as f64 / 86_400.0;
    (days / 30.44).round().clamp(1.0, 24.0) as u8
}

/// A mean month, as Atlas's `monthsUntilExpiration` lands on average.
const MONTH_SECS: i64 = 2_629_746;
const DAY_SECS: i64 = 86_400;

/// When a certificate is due for renewal: the one rule `expiring`, `rotate`
/// and the TUI's expiring view apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// It expires within this long (`--within 30d`).
    Within(SignedDuration),
    /// Less than `num/den` of its lifetime is left (`--renew-before 1/3`,
    /// as cert-manager and step-ca renew at two thirds).
    Before { num: u32, den: u32 },
}

impl Default for Renewal {
    fn default() -> Self {
        Renewal::Within(SignedDuration::from_hours(30 * 24))
    }
}

impl Renewal {
    /// When `c` becomes due: its expiry less the window, or the moment the
    /// share of its lifetime left falls below the fraction.
    pub fn due_at(&self, c: &UserCert) -> Timestamp {
        let secs = match *self {
            Renewal::Within(d) => c.not_after.as_second().saturating_sub(d.as_secs()),
            Renewal::Before { num, den } => {
                let issued = issued_at(c).as_second();
                let life = (c.not_after.as_second() - issued).max(1);
                let left = i128::from(life) * i128::from(num) / i128::from(den.max(1));
                c.not_after.as_second() - i64::try_from(left).unwrap_or(i64::MAX)
            }
        };
        Timestamp::from_second(secs.clamp(Timestamp::MIN.as_second(), Timestamp::MAX.as_second()))
            .unwrap_or(c.not_after)
    }

    pub fn due(&self, c: &UserCert, now: Timestamp) -> bool {
        self.due_at(c) <= now
    }

    /// "expires within 30 days", "has less than 1/3 of its lifetime left".
    pub fn describe(&self) -> String {
        match *self {
            Renewal::Within(d) => format!("expires within {}", crate::format::duration_words(d)),
            Renewal::Before { num, den } => {
                format!("has less than {num}/{den} of its lifetime left")
            }
        }
    }
}

/// `1/3`, `0.33` or `33%`: a share of a certificate's lifetime, above 0
/// and below 1.
pub fn parse_fraction(s: &str) -> Result<Renewal, String> {
    let t = s.trim();
    let bad = || format!("{t:?} is not a share of the lifetime like 1/3, 0.33 or 33%");
    let (num, den): (u64, u64) = if let Some((n, d)) = t.split_once('/') {
        (
            n.trim().parse().map_err(|_| bad())?,
            d.trim().parse().map_err(|_| bad())?,
        )
    } else if let Some(p) = t.strip_suffix('%') {
        let p: f64 = p.trim().parse().map_err(|_| bad())?;
        ((p * 10_000.0).round() as u64, 1_000_000)
    } else {
        let f: f64 = t.parse().map_err(|_| bad())?;
        if !f.is_finite() {
            return Err(bad());
        }
        ((f * 1_000_000.0).round() as u64, 1_000_000)
    };
    if den == 0 || num == 0 || num >= den || den > 1_000_000_000 {
        return Err(format!(
            "{t:?}: the share must be above 0 and below 1 (1/3 renews at two thirds of the lifetime)"
        ));
    }
    let g = gcd(num, den);
    Ok(Renewal::Before {
        num: (num / g) as u32,
        den: (den / g) as u32,
    })
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a.max(1) } else { gcd(b, a % b) }
}

/// When Atlas issued `c` (it dates `createdAt` an hour earlier).
fn issued_at(c: &UserCert) -> Timestamp {
    c.created_at.checked_add(1.hour()).unwrap_or(c.created_at)
}

/// When a certificate of `months` issued now expires: calendar months, as
/// Atlas counts `monthsUntilExpiration`.
fn end_of(now: Timestamp, months: u8) -> i64 {
    crate::format::expiry_after(now, months)
        .map_or(now.as_second() + i64::from(months) * MONTH_SECS, |t| {
            t.as_second()
        })
}

/// Whether replacing `old` now with a certificate of `months` is worth it:
/// it must buy at least a day, and must not itself be due at once (else
/// every run rotates again). `Err`: the reason, in words, with the
/// smallest validity that would do.
pub fn worth_rotating(
    old: &UserCert,
    months: u8,
    now: Timestamp,
    rule: &Renewal,
) -> Result<(), String> {
    let ok = |m: u8| {
        let end = end_of(now, m);
        let buys = end - old.not_after.as_second();
        // The replacement, judged by the same rule: due within a day of
        // now, and the next run would rotate it again.
        let new = UserCert {
            id: 0,
            created_at: now.checked_sub(1.hour()).unwrap_or(now),
            not_after: Timestamp::from_second(end).unwrap_or(Timestamp::MAX),
            subject: String::new(),
            group_id: None,
        };
        // Not due for a tenth of its life (and a day) at least: a run a day
        // would otherwise rotate it day after day.
        let grace = ((end - now.as_second()) / 10).max(DAY_SECS);
        let due_soon = rule.due_at(&new).as_second() < now.as_second().saturating_add(grace);
        buys >= DAY_SECS && !due_soon
    };
    if ok(months) {
        return Ok(());
    }
    let why = {
        let end = end_of(now, months);
        let buys = end - old.not_after.as_second();
        if buys < DAY_SECS {
            format!(
                "a {}-month certificate now would buy {} over the one it replaces",
                months,
                if buys <= 0 {
                    "nothing".to_string()
                } else {
                    format!("{} hours", buys / 3_600)
                }
            )
        } else {
            format!(
                "a {months}-month certificate would itself be due again within a tenth of its life (it {}), so run after run would rotate it",
                rule.describe()
            )
        }
    };
    Err(match (months + 1..=24).find(|m| ok(*m)) {
        Some(m) => format!("{why}: use {m} months or more (--months {m})"),
        None => format!("{why}, and no validity up to 24 months would do better"),
    })
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

    fn days(d: i64) -> SignedDuration {
        SignedDuration::from_hours(24 * d)
    }

    #[test]
    fn a_replacement_must_outlive_the_window_and_buy_a_day() {
        let now: Timestamp = "2026-11-30T00:00:00Z".parse().unwrap();
        let expiring_in = |d: i64| {
            cert(
                1,
                "2026-10-30T00:00:00Z",
                &now.checked_add(days(d)).unwrap().to_string(),
            )
        };
        let within = |d| Renewal::Within(days(d));
        assert!(worth_rotating(&expiring_in(10), 1, now, &within(27)).is_ok());
        let e = worth_rotating(&expiring_in(10), 1, now, &within(28)).unwrap_err();
        assert!(
            e.contains("due again within a tenth") && e.contains("use 2 months"),
            "{e}"
        );
        // A one-month certificate (30 days from 30 November) rotated with
        // 29 days 14 hours left buys 10 hours; with 30 days, nothing.
        let fraction = parse_fraction("0.99").unwrap();
        let old = cert(1, "2026-10-30T00:00:00Z", "2026-12-29T14:00:00Z");
        let e = worth_rotating(&old, 1, now, &fraction).unwrap_err();
        assert!(
            e.contains("would buy 10 hours") && e.contains("no validity up to 24 months"),
            "{e}"
        );
        let e = worth_rotating(&expiring_in(30), 1, now, &fraction).unwrap_err();
        assert!(e.contains("would buy nothing"), "{e}");
        let e = worth_rotating(&expiring_in(28), 1, now, &fraction).unwrap_err();
        assert!(
            e.contains("due again within a tenth"),
            "0.99 of a month left is 7 hours: {e}"
        );
        let third = parse_fraction("1/3").unwrap();
        assert!(worth_rotating(&expiring_in(9), 1, now, &third).is_ok());
        assert_eq!(third.describe(), "has less than 1/3 of its lifetime left");
        assert!(
            parse_fraction("0.00001").is_ok(),
            "small shares are not rounded away"
        );
        // No churn: a month issued on the 11th is not due again on the
        // 12th under 30 days (it would buy a day, and be due at once).
        let jan: Timestamp = "2027-01-12T00:00:00Z".parse().unwrap();
        let fresh = cert(1, "2027-01-10T23:00:00Z", "2027-02-11T00:00:00Z");
        assert!(worth_rotating(&fresh, 1, jan, &within(30)).is_err());
        let e = worth_rotating(&expiring_in(800), 24, now, &within(1)).unwrap_err();
        assert!(e.contains("no validity up to 24 months"), "{e}");
    }

    #[test]
    fn renewal_by_share_of_the_lifetime_at_its_edges() {
        // 90 days of life from issuance (createdAt is an hour before).
        let c = cert(1, "2026-01-01T00:00:00Z", "2026-04-01T01:00:00Z");
        let third = parse_fraction("1/3").unwrap();
        assert_eq!(third, Renewal::Before { num: 1, den: 3 });
        let at = third.due_at(&c);
        assert_eq!(at.to_string(), "2026-03-02T01:00:00Z", "30 of 90 days left");
        assert!(third.due(&c, at));
        assert!(!third.due(&c, at.checked_sub(1.second()).unwrap()));
        assert_eq!(
            parse_fraction("33%").unwrap(),
            Renewal::Before { num: 33, den: 100 }
        );
        assert_eq!(
            parse_fraction("0.5").unwrap(),
            Renewal::Before { num: 1, den: 2 }
        );
        for bad in ["0", "1", "3/2", "1/0", "-1/3", "nan", "inf", "abc", "150%"] {
            assert!(parse_fraction(bad).is_err(), "{bad}");
        }
        let w = Renewal::Within(days(30));
        assert_eq!(w.due_at(&c).to_string(), "2026-03-02T01:00:00Z");
        // A hostile date cannot make the arithmetic panic.
        let far = UserCert {
            created_at: Timestamp::MIN,
            not_after: Timestamp::MAX,
            ..cert(1, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z")
        };
        let _ = third.due_at(&far);
        let _ = Renewal::Within(SignedDuration::MAX).due_at(&far);
    }
}
