//! The calendar month a report covers, as `YYYY-MM` (UTC, like every billing day).

use time::{Date, Duration, Month};

use crate::error::{Error, Result};

/// A calendar month from 2000-01 to 2099-12 (the days billing accepts, [`crate::billing::costs::FIRST_DAY`]
/// to [`crate::billing::costs::LAST_DAY`]); `YYYY-MM` on the wire and in keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReportMonth {
    year: i32,
    month: Month,
}

impl ReportMonth {
    /// `YYYY-MM` with a year 2000-2099. Errors: validation on `field` saying the form.
    pub fn parse_field(field: &str, raw: &str) -> Result<Self> {
        let bad = || {
            Error::validation(
                field,
                format!("'{raw}' is not a month; give it as YYYY-MM (2000-01 to 2099-12)"),
            )
        };
        let b = raw.as_bytes();
        if b.len() != 7 || b[4] != b'-' || !b.iter().enumerate().all(|(i, c)| i == 4 || c.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = raw[..4].parse().map_err(|_| bad())?;
        let month: u8 = raw[5..].parse().map_err(|_| bad())?;
        let month = Month::try_from(month).map_err(|_| bad())?;
        if !(2000..=2099).contains(&year) {
            return Err(bad());
        }
        Ok(ReportMonth { year, month })
    }

    /// [`Self::parse_field`] naming the field `month`.
    pub fn parse(raw: &str) -> Result<Self> {
        Self::parse_field("month", raw)
    }

    /// The month `day` is in.
    pub fn of(day: Date) -> Self {
        ReportMonth {
            year: day.year(),
            month: day.month(),
        }
    }

    pub fn first_day(self) -> Date {
        Date::from_calendar_date(self.year, self.month, 1).unwrap_or(Date::MIN)
    }

    pub fn last_day(self) -> Date {
        Date::from_calendar_date(self.year, self.month, self.month.length(self.year)).unwrap_or(Date::MIN)
    }

    /// Days in the month (28-31).
    pub fn days(self) -> u8 {
        self.month.length(self.year)
    }

    /// The day after the month's last (the first of the next month): the end of the month as a
    /// half-open range `[first_day, end)`. A date, not a month: after 2099-12 it is 2100-01-01,
    /// a day no month of the range holds.
    pub fn end(self) -> Date {
        self.last_day() + Duration::days(1)
    }

    /// The month after, within the range (`None` after 2099-12).
    pub fn next(self) -> Option<Self> {
        Self::within(self.end())
    }

    /// The month before, within the range (`None` before 2000-01: a month-over-month comparison
    /// of the first month has nothing to compare with, and billing holds no day before it).
    pub fn previous(self) -> Option<Self> {
        Self::within(self.first_day() - Duration::days(1))
    }

    /// The month of `day` when it is within 2000-01..2099-12.
    fn within(day: Date) -> Option<Self> {
        (2000..=2099).contains(&day.year()).then(|| Self::of(day))
    }

    /// The month has ended on `today` (UTC): `today` is in a later month. Only a closed month's
    /// report can be built: an open month's figures are still moving.
    pub fn closed_on(self, today: Date) -> bool {
        today >= self.end()
    }

    /// The month before `today`'s: the one the monthly schedule builds.
    pub fn just_closed(today: Date) -> Self {
        Self::of(Self::of(today).first_day() - Duration::days(1))
    }

    /// `March 2026`.
    pub fn long_name(self) -> String {
        format!("{} {}", self.month, self.year)
    }
}

impl std::fmt::Display for ReportMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, u8::from(self.month))
    }
}

impl serde::Serialize for ReportMonth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ReportMonth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ReportMonth::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for ReportMonth {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("A calendar month, YYYY-MM (2000-01 to 2099-12)"))
            .pattern(Some("^20[0-9]{2}-(0[1-9]|1[0-2])$"))
            .examples(["2026-03"])
            .into()
    }
}

impl utoipa::ToSchema for ReportMonth {}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn months_parse_only_as_yyyy_mm_within_2000_to_2099() {
        assert_eq!(ReportMonth::parse("2026-03").unwrap().to_string(), "2026-03");
        for bad in [
            "2026-3",
            "2026-13",
            "2026-00",
            "1999-12",
            "2100-01",
            "26-03",
            "2026/03",
            "２０２６-03",
            "2026-03-01",
            "",
        ] {
            let e = ReportMonth::parse(bad).unwrap_err();
            assert!(e.to_string().contains("YYYY-MM"), "{bad}: {e}");
        }
    }

    #[test]
    fn month_days_and_neighbours() {
        let feb = ReportMonth::parse("2028-02").unwrap();
        assert_eq!(
            (feb.first_day(), feb.last_day(), feb.days()),
            (date!(2028 - 02 - 01), date!(2028 - 02 - 29), 29)
        );
        assert_eq!(feb.next().unwrap().to_string(), "2028-03");
        assert_eq!(
            ReportMonth::parse("2026-01").unwrap().previous().unwrap().to_string(),
            "2025-12"
        );
        assert_eq!(
            ReportMonth::parse("2026-12").unwrap().next().unwrap().to_string(),
            "2027-01"
        );
        assert_eq!(feb.end(), date!(2028 - 03 - 01));
        assert_eq!(feb.long_name(), "February 2028");
    }

    #[test]
    fn the_range_has_no_month_before_its_first_or_after_its_last() {
        let first = ReportMonth::parse("2000-01").unwrap();
        let last = ReportMonth::parse("2099-12").unwrap();
        assert_eq!(first.previous(), None);
        assert_eq!(last.next(), None);
        assert_eq!(last.end(), date!(2100 - 01 - 01));
        assert_eq!(first.next().unwrap().to_string(), "2000-02");
        assert_eq!(last.previous().unwrap().to_string(), "2099-11");
        assert!(last.closed_on(date!(2100 - 01 - 01)));
    }

    #[test]
    fn a_month_is_closed_from_the_first_of_the_next() {
        let m = ReportMonth::parse("2026-03").unwrap();
        assert!(!m.closed_on(date!(2026 - 03 - 31)));
        assert!(m.closed_on(date!(2026 - 04 - 01)));
        assert!(!m.closed_on(date!(2026 - 02 - 10)));
        assert_eq!(ReportMonth::just_closed(date!(2026 - 01 - 03)).to_string(), "2025-12");
    }
}
