//! Timestamps as the commands and Atlas's own answers write them.

use jiff::Timestamp;

/// `2026-11-23T10:00:00Z`: what commands print and `--json` carries.
pub const ISO_UTC: &str = "%Y-%m-%dT%H:%M:%SZ";
/// `2026-11-23 10:00:00 UTC`: for people.
pub const HUMAN_UTC: &str = "%Y-%m-%d %H:%M:%S UTC";

/// A timestamp as [`ISO_UTC`] writes it, without interpreting the format
/// string per date (lists of 10,000 certificates carry 20,000 of them).
pub struct IsoUtc(pub Timestamp);

impl std::fmt::Display for IsoUtc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = jiff::tz::Offset::UTC.to_datetime(self.0);
        if !(0..=9999).contains(&d.year()) {
            return write!(f, "{}", self.0.strftime(ISO_UTC));
        }
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            d.year(),
            d.month(),
            d.day(),
            d.hour(),
            d.minute(),
            d.second()
        )
    }
}

/// Unix seconds for people; a number out of range is said, not a panic.
pub fn utc_seconds(t: i64) -> String {
    Timestamp::from_second(t)
        .map(|ts| ts.strftime(HUMAN_UTC).to_string())
        .unwrap_or_else(|_| "(a time out of range)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_utc_is_what_strftime_writes() {
        for t in [
            Timestamp::MIN,
            Timestamp::MAX,
            Timestamp::UNIX_EPOCH,
            "0001-01-01T00:00:00Z".parse().unwrap(),
            "2026-01-02T03:04:05.999Z".parse().unwrap(),
            "9999-12-30T00:00:00Z".parse().unwrap(),
        ] {
            assert_eq!(IsoUtc(t).to_string(), t.strftime(ISO_UTC).to_string());
        }
    }
}
