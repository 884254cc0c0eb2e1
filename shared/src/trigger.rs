//! Who started a run of a job: the schedule, an admin through the API ("Fetch now", "Sync now"),
//! or a person at a terminal with `cc jobs run NAME`. One type for every job's run record (the
//! billing fetch's and the utilisation sync's), so every run says who started it the same way
//! (`{"kind": "schedule" | "admin" | "manual", ...}`), and a run a person started is never
//! recorded as the schedule's.

/// Who started a run.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Trigger {
    /// The job's schedule (an EventBridge rule in AWS; the local server's timer).
    Schedule,
    /// An admin, through the API.
    Admin { email: String },
    /// A person, with `cc jobs run NAME` against the store itself (no API, no token): `by` is who
    /// the CLI says ran it (its `--by`, else the operating system's user name), a label rather
    /// than a verified identity: whoever can run it can write the store directly anyway.
    Manual { by: String },
}

impl Trigger {
    /// A manual run by `by` (1-254 printable characters on one line): 400 naming `by` otherwise.
    pub fn manual(by: &str) -> crate::Result<Trigger> {
        let by = by.trim();
        crate::text::line("by", by, 1, 254)?;
        Ok(Trigger::Manual { by: by.to_string() })
    }

    /// Who, in a sentence's words: "the daily schedule", an admin's e-mail, "erin (cc jobs run)".
    pub fn who(&self) -> String {
        match self {
            Trigger::Schedule => "the daily schedule".to_string(),
            Trigger::Admin { email } => email.clone(),
            Trigger::Manual { by } => format!("{by} (cc jobs run)"),
        }
    }

    /// The person who started the run, if a person did (for the audit log).
    pub fn person(&self) -> Option<&str> {
        match self {
            Trigger::Schedule => None,
            Trigger::Admin { email } => Some(email),
            Trigger::Manual { by } => Some(by),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_keep_their_wire_form_and_a_manual_run_names_its_person() {
        for (t, json) in [
            (Trigger::Schedule, r#"{"kind":"schedule"}"#),
            (
                Trigger::Admin {
                    email: "ada@example.com".into(),
                },
                r#"{"kind":"admin","email":"ada@example.com"}"#,
            ),
            (
                Trigger::Manual { by: "erin".into() },
                r#"{"kind":"manual","by":"erin"}"#,
            ),
        ] {
            assert_eq!(serde_json::to_string(&t).unwrap(), json);
            assert_eq!(serde_json::from_str::<Trigger>(json).unwrap(), t);
        }
        assert_eq!(
            Trigger::manual("  erin ").unwrap(),
            Trigger::Manual { by: "erin".into() }
        );
        assert!(Trigger::manual("").is_err());
        assert!(Trigger::manual("a\nb").is_err());
        assert_eq!(Trigger::manual("erin").unwrap().who(), "erin (cc jobs run)");
    }
}
