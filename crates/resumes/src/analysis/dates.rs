//! Date ranges ("Jan 2019 – Present", "2016-2018", "03/2020 - 11/2022") and the years they
//! cover.
//!
//! Conventions, chosen to match how people read a resume:
//! - a month is counted whole and the end month is included, as LinkedIn counts: "Jan 2019 –
//!   Mar 2019" is three months;
//! - a bare year stands for its middle (1 July), both as a start and as an end, so "2016-2018"
//!   is two years: the expected length when the months are unknown;
//! - a season is its usual first month: winter January, spring April, summer July, fall and
//!   autumn October;
//! - "Present", "Current", "Now", "Today", "Ongoing" and "to date" mean `today`, which the
//!   caller passes in, so results do not drift with the clock;
//! - ranges that overlap (two jobs at once) are merged before summing.

use std::sync::LazyLock;

use chrono::{Datelike, Months, NaiveDate};
use regex::Regex;

use super::compiled;

/// One period, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Period {
    pub(crate) start: NaiveDate,
    pub(crate) end: NaiveDate,
}

const MONTH: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|spring|summer|fall|autumn|winter)\.?";

fn date_pattern() -> String {
    format!(
        r"(?:{MONTH},?\s*(?:'\d{{2}}|\d{{4}})|\d{{1,2}}\s*[/.]\s*\d{{4}}|\d{{4}}[-/.](?:0?[1-9]|1[0-2])\b|(?:19|20)\d{{2}})"
    )
}

static RANGE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let date = date_pattern();
    compiled(&format!(
        r"(?i)\b({date})\s*(?:-|–|—|−|~|\bto\b|\buntil\b|\btill\b|\bthrough\b|\bthru\b)\s*({date}|present\b|current(?:ly)?\b|now\b|today\b|ongoing\b|(?:to\s+)?date\b)"
    ))
});
static MONTH_YEAR: LazyLock<Option<Regex>> =
    LazyLock::new(|| compiled(&format!(r"(?i)^({MONTH}),?\s*('\d{{2}}|\d{{4}})$")));
static NUMERIC_MONTH_YEAR: LazyLock<Option<Regex>> =
    LazyLock::new(|| compiled(r"^(\d{1,2})\s*[/.]\s*(\d{4})$"));
static YEAR_MONTH: LazyLock<Option<Regex>> = LazyLock::new(|| compiled(r"^(\d{4})[-/.](\d{1,2})$"));
static YEAR: LazyLock<Option<Regex>> = LazyLock::new(|| compiled(r"^(\d{4})$"));

/// A date as written: a year, and a month when one is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Written {
    year: i32,
    month: Option<u32>,
}

/// The date ranges in `text`, with where each was found (byte range).
pub(crate) fn ranges(text: &str, today: NaiveDate) -> Vec<(std::ops::Range<usize>, Period)> {
    let Some(range) = RANGE.as_ref() else { return Vec::new() };
    range
        .captures_iter(text)
        .filter_map(|captures| {
            let whole = captures.get(0)?;
            let start = parse(captures.get(1)?.as_str(), today)?;
            let end_text = captures.get(2)?.as_str();
            let end = match parse(end_text, today) {
                Some(written) => end_of(written)?,
                None => today,
            };
            let start = start_of(start)?;
            // Dates in the future, before anyone now working was born, or backwards: not a job.
            let earliest = NaiveDate::from_ymd_opt(1950, 1, 1)?;
            if start > today || start < earliest || end <= start || end.year() - start.year() > 60 {
                return None;
            }
            Some((whole.range(), Period { start, end: end.min(today.max(start)) }))
        })
        .collect()
}

fn parse(text: &str, today: NaiveDate) -> Option<Written> {
    let text = text.trim();
    if let Some(c) = MONTH_YEAR.as_ref()?.captures(text) {
        let month = month_number(c.get(1)?.as_str())?;
        let year = c.get(2)?.as_str();
        let year = match year.strip_prefix('\'') {
            Some(short) => {
                let short: i32 = short.parse().ok()?;
                let century = if 2000 + short <= today.year() + 1 { 2000 } else { 1900 };
                century + short
            }
            None => year.parse().ok()?,
        };
        return Some(Written { year, month: Some(month) });
    }
    if let Some(c) = NUMERIC_MONTH_YEAR.as_ref()?.captures(text) {
        let month: u32 = c.get(1)?.as_str().parse().ok()?;
        return (1..=12)
            .contains(&month)
            .then_some(Written { year: c.get(2)?.as_str().parse().ok()?, month: Some(month) });
    }
    if let Some(c) = YEAR_MONTH.as_ref()?.captures(text) {
        let month: u32 = c.get(2)?.as_str().parse().ok()?;
        return (1..=12)
            .contains(&month)
            .then_some(Written { year: c.get(1)?.as_str().parse().ok()?, month: Some(month) });
    }
    if let Some(c) = YEAR.as_ref()?.captures(text) {
        return Some(Written { year: c.get(1)?.as_str().parse().ok()?, month: None });
    }
    None
}

fn month_number(name: &str) -> Option<u32> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    // Seasons, as the month they are usually taken to start (northern hemisphere).
    match name.as_str() {
        "winter" => return Some(1),
        "spring" => return Some(4),
        "summer" => return Some(7),
        "fall" | "autumn" => return Some(10),
        _ => {}
    }
    let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    months.iter().position(|m| name.starts_with(m)).and_then(|i| u32::try_from(i + 1).ok())
}

fn start_of(date: Written) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(date.year, date.month.unwrap_or(7), 1)
}

fn end_of(date: Written) -> Option<NaiveDate> {
    match date.month {
        Some(month) => NaiveDate::from_ymd_opt(date.year, month, 1)?.checked_add_months(Months::new(1)),
        None => NaiveDate::from_ymd_opt(date.year, 7, 1),
    }
}

/// The years covered by `periods`, overlaps counted once, to one decimal.
pub(crate) fn total_years(periods: &[Period]) -> f32 {
    let mut sorted = periods.to_vec();
    sorted.sort_by_key(|p| p.start);
    let mut days = 0i64;
    let mut current: Option<Period> = None;
    for period in sorted {
        current = match current {
            Some(open) if period.start <= open.end => {
                Some(Period { start: open.start, end: open.end.max(period.end) })
            }
            Some(open) => {
                days += (open.end - open.start).num_days();
                Some(period)
            }
            None => Some(period),
        };
    }
    if let Some(open) = current {
        days += (open.end - open.start).num_days();
    }
    ((days as f64 / 365.2425) * 10.0).round() as f32 / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default()
    }

    fn years(text: &str) -> f32 {
        let periods: Vec<Period> = ranges(text, today()).into_iter().map(|(_, p)| p).collect();
        total_years(&periods)
    }

    fn one(text: &str) -> Option<(NaiveDate, NaiveDate)> {
        let found = ranges(text, today());
        assert!(found.len() <= 1, "{text}: {found:?}");
        found.first().map(|(_, p)| (p.start, p.end))
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn the_patterns_compile() {
        for pattern in [&RANGE, &MONTH_YEAR, &NUMERIC_MONTH_YEAR, &YEAR_MONTH, &YEAR] {
            assert!(pattern.is_some());
        }
    }

    #[test]
    fn the_usual_forms() {
        assert_eq!(one("Acme, Jan 2019 – Present"), Some((date(2019, 1, 1), today())));
        assert_eq!(one("2016-2018"), Some((date(2016, 7, 1), date(2018, 7, 1))));
        assert_eq!(one("03/2020 - 11/2022"), Some((date(2020, 3, 1), date(2022, 12, 1))));
        assert_eq!(one("September 2015 to June 2017"), Some((date(2015, 9, 1), date(2017, 7, 1))));
        assert_eq!(one("2019-03 – 2021-06"), Some((date(2019, 3, 1), date(2021, 7, 1))));
        assert_eq!(one("Mar '19 — Dec '20"), Some((date(2019, 3, 1), date(2021, 1, 1))));
        assert_eq!(one("Sept. 2021 - current"), Some((date(2021, 9, 1), today())));
        assert_eq!(one("2020 – Now"), Some((date(2020, 7, 1), today())));
        assert_eq!(one("Dec 2023 to date"), Some((date(2023, 12, 1), today())));
        assert_eq!(one("05.2018 - 04.2019"), Some((date(2018, 5, 1), date(2019, 5, 1))));
        assert_eq!(one("(2015 – Spring 2019)"), Some((date(2015, 7, 1), date(2019, 5, 1))));
        assert_eq!(one("Fall 2020 - Summer 2021"), Some((date(2020, 10, 1), date(2021, 8, 1))));
    }

    #[test]
    fn not_ranges() {
        assert_eq!(one("Call 555-123-4567"), None);
        assert_eq!(one("Grew revenue 20-30%"), None);
        assert_eq!(one("2030 - 2032"), None);
        assert_eq!(one("2019 - 2017"), None);
    }

    #[test]
    fn overlaps_merge_and_months_count_whole() {
        assert!((years("Jan 2019 - Dec 2019") - 1.0).abs() < 0.05);
        // Two overlapping jobs, 2015-07..2019-07 and 2018-07..2021-07: six years, not seven.
        assert!((years("2015 - 2019\n2018 - 2021") - 6.0).abs() < 0.05);
        // A gap is not counted.
        assert!((years("2010 - 2012\n2014 - 2015") - 3.0).abs() < 0.05);
        assert!((years("Jan 2019 – Present") - 7.4).abs() < 0.05);
    }
}
