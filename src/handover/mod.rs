//! One hand-over for every issued key. The TUI's worker, `issue` and
//! `rotate` all come here to issue (once, never retried), to check the
//! answer against what was asked, and to keep the key somewhere when it
//! cannot go where it was meant to. Written once so the three cannot drift.

pub mod keep;
pub mod key_out;

use atlas_client::inspect::{self, CertInfo};
use atlas_client::{Client, Error, IssuedPem};

pub use keep::{Held, Kept, hold, keep_somewhere, release};

/// What was asked of Atlas.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    pub group_id: &'a str,
    pub username: &'a str,
    pub months: u8,
}

/// Why an answer is not simply "this user's certificate and its key".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Not a certificate with its own key: no certificate, no key, a key
    /// of another certificate, something that does not parse.
    Unusable(String),
    /// A usable pair, but not what was asked: another subject, expired,
    /// a validity far from the months asked.
    Mismatch(String),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Unusable(why) => write!(f, "Atlas accepted the request but {why}"),
            Problem::Mismatch(why) => write!(f, "Atlas answered with a certificate that {why}"),
        }
    }
}

impl Problem {
    /// The problem, and what it means for a key filed under a user's name.
    pub fn said(&self, username: &str) -> String {
        match self {
            Problem::Unusable(_) => {
                format!("{self}, so a certificate may have been issued without a usable key")
            }
            Problem::Mismatch(_) => format!(
                "{self}, so it is not saved as {}'s",
                atlas_client::sanitize::line(username, 80)
            ),
        }
    }
}

/// Atlas's answer, checked. The PEM is kept whatever the check says: a
/// certificate may have been issued, and this is the only copy of its key.
#[derive(Debug)]
pub struct Answer {
    pub pem: IssuedPem,
    pub info: Option<CertInfo>,
    pub problem: Option<Problem>,
}

impl Answer {
    /// The key and its certificate's facts when the answer is what was
    /// asked; else the key (which must still be kept) and why not, in words
    /// for a command that files keys under the user's name.
    pub fn accepted(self, username: &str) -> Result<(IssuedPem, CertInfo), (IssuedPem, String)> {
        match (self.info, self.problem) {
            (Some(info), None) => Ok((self.pem, info)),
            (_, problem) => {
                let said = problem
                    .map(|p| p.said(username))
                    .unwrap_or_else(|| "Atlas's answer does not parse".into());
                Err((self.pem, said))
            }
        }
    }
}

/// The answer held against the request: a certificate that parses, the
/// key that belongs to it, and the subject, expiry and validity asked for.
pub fn check(pem: IssuedPem, ask: &Ask<'_>, now: jiff::Timestamp) -> Answer {
    let (info, problem) = examine(&pem, ask, now);
    Answer { pem, info, problem }
}

/// `check`'s findings, for a caller that holds the PEM elsewhere.
pub fn examine(
    pem: &IssuedPem,
    ask: &Ask<'_>,
    now: jiff::Timestamp,
) -> (Option<CertInfo>, Option<Problem>) {
    match inspect::verify(pem) {
        Ok(info) => {
            let problem = inspect::answers(&info, ask.username, ask.months, now)
                .err()
                .map(Problem::Mismatch);
            (Some(info), problem)
        }
        Err(why) => (inspect::inspect(pem), Some(Problem::Unusable(why))),
    }
}

/// Sends the request once (a POST is not idempotent: a failure is
/// reported, never retried). The answer is not yet checked: a caller that
/// must keep the key before anything else can go wrong does that first.
pub async fn send(client: &Client, ask: &Ask<'_>) -> Result<IssuedPem, Error> {
    let Ask {
        group_id,
        username,
        months,
    } = *ask;
    client
        .create_cert(group_id, username, i64::from(months))
        .await
        .inspect_err(|e| {
            tracing::warn!(group_id, username, months, error = %e, "issuing failed");
        })
}

/// The audit line: who got which certificate, and what was wrong with it.
/// Never the PEM.
pub fn audit(ask: &Ask<'_>, info: Option<&CertInfo>, problem: Option<&Problem>) {
    let Ask {
        group_id,
        username,
        months,
    } = *ask;
    tracing::info!(
        group_id,
        username,
        months,
        serial = info.map(|i| i.serial),
        "certificate issued"
    );
    if let Some(problem) = problem {
        tracing::warn!(group_id, username, %problem, "the issued answer is not what was asked");
    }
}

/// Sends the request once and checks the answer.
pub async fn request(client: &Client, ask: &Ask<'_>) -> Result<Answer, Error> {
    let pem = send(client, ask).await?;
    let answer = check(pem, ask, jiff::Timestamp::now());
    audit(ask, answer.info.as_ref(), answer.problem.as_ref());
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem_for(cn: &str, days: i64, own_key: bool) -> IssuedPem {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
        params.serial_number = Some(rcgen::SerialNumber::from(0x1B6E_BA83u64));
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::days(1);
        params.not_after = now + time::Duration::days(days);
        let cert = params.self_signed(&key).unwrap();
        let key_pem = if own_key {
            key.serialize_pem()
        } else {
            rcgen::KeyPair::generate().unwrap().serialize_pem()
        };
        IssuedPem::new(format!("{}{}", cert.pem(), key_pem))
    }

    #[test]
    fn every_way_an_answer_can_differ_from_the_ask_is_named() {
        let ask = Ask {
            group_id: "g",
            username: "u0",
            months: 3,
        };
        let now = jiff::Timestamp::now();
        assert_eq!(check(pem_for("u0", 91, true), &ask, now).problem, None);
        let other = check(pem_for("admin", 91, true), &ask, now);
        assert!(matches!(&other.problem, Some(Problem::Mismatch(w)) if w.contains("CN=admin")));
        assert!(other.info.is_some(), "the facts are still shown");
        let dead = check(pem_for("u0", -1, true), &ask, now);
        assert!(matches!(&dead.problem, Some(Problem::Mismatch(w)) if w.contains("expired")));
        let long = check(pem_for("u0", 400, true), &ask, now);
        assert!(
            matches!(&long.problem, Some(Problem::Mismatch(w)) if w.contains("month(s) asked"))
        );
        let foreign = check(pem_for("u0", 91, false), &ask, now);
        assert!(
            matches!(&foreign.problem, Some(Problem::Unusable(w)) if w.contains("does not belong"))
        );
        assert!(
            foreign
                .problem
                .unwrap()
                .to_string()
                .starts_with("Atlas accepted the request but")
        );
    }
}
