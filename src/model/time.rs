//! Time zones and time arithmetic, all through jiff: the display zone (`--tz`, `--utc`, or the
//! system's, which honours `TZ`), formatting epoch milliseconds in it, parsing `--since` and
//! `--until`, and the local day / week / month / hour a conversation falls in (DST included).

use std::cell::Cell;

use anyhow::{anyhow, bail, Context, Result};
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, Zoned};

thread_local! {
    /// The local day (days since 1970-01-01) last formatted on this thread, and its date.
    static LAST_DAY: Cell<(i64, [u8; 10])> = const { Cell::new((i64::MIN, [0; 10])) };
}

/// The last decimal digit of `value` (not negative), as ASCII: `digit(v / 10)`, `digit(v)`
/// writes two, each division by a constant (a multiplication).
fn digit(value: i32) -> u8 {
    b'0' + (value % 10) as u8
}

/// The zone times are shown, parsed and grouped in.
#[derive(Debug, Clone)]
pub struct DisplayZone {
    pub tz: TimeZone,
}

impl DisplayZone {
    /// `--utc` wins; then `--tz NAME` (IANA); then the system zone (honours `TZ`).
    pub fn resolve(tz_name: Option<&str>, utc: bool) -> Result<DisplayZone> {
        let tz = if utc {
            TimeZone::UTC
        } else if let Some(name) = tz_name {
            TimeZone::get(name).with_context(|| format!("unknown time zone {name:?}"))?
        } else {
            TimeZone::try_system().unwrap_or(TimeZone::UTC)
        };
        Ok(DisplayZone { tz })
    }

    pub fn utc() -> DisplayZone {
        DisplayZone { tz: TimeZone::UTC }
    }

    /// The zoned time of an epoch-milliseconds value; `None` when out of jiff's range.
    pub fn zoned(&self, ms: i64) -> Option<Zoned> {
        Timestamp::from_millisecond(ms)
            .ok()
            .map(|ts| ts.to_zoned(self.tz.clone()))
    }

    /// RFC 3339 with milliseconds and the zone's offset: `2015-03-27T15:33:59.703+00:00`.
    /// Out-of-range values come out as the raw number, never as a panic.
    pub fn rfc3339(&self, ms: i64) -> String {
        let mut out = Vec::with_capacity(29);
        self.rfc3339_into(ms, &mut out);
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// [`DisplayZone::rfc3339`] appended to `out` (export writes several a row: no String each).
    pub fn rfc3339_into(&self, ms: i64, out: &mut Vec<u8>) {
        // Written digit by digit: export formats several instants a row, and strftime (which
        // reads its pattern every time) and the zone's clone cost more than the rest of a cell.
        let Ok(ts) = Timestamp::from_millisecond(ms) else {
            out.extend_from_slice(itoa::Buffer::new().format(ms).as_bytes());
            return;
        };
        let offset = self.tz.to_offset(ts);
        let seconds = offset.seconds();
        // The date is the same for every instant of a local day, and a corpus sends many
        // instants of one day in a row: each thread keeps the last day's `YYYY-MM-DD`.
        let local = ms + i64::from(seconds) * 1000;
        let day = local.div_euclid(86_400_000);
        let cached = LAST_DAY.with(Cell::get);
        let date = if cached.0 == day && seconds % 60 == 0 {
            cached.1
        } else {
            let t = offset.to_datetime(ts);
            if !(0..=9999).contains(&t.year()) || seconds % 60 != 0 {
                // Years outside 0..=9999 and offsets with seconds: strftime's own rendering.
                match self.zoned(ms) {
                    Some(z) => out.extend_from_slice(
                        z.strftime("%Y-%m-%dT%H:%M:%S%.3f%:z")
                            .to_string()
                            .as_bytes(),
                    ),
                    None => out.extend_from_slice(itoa::Buffer::new().format(ms).as_bytes()),
                }
                return;
            }
            let (y, m, d) = (
                i32::from(t.year()),
                i32::from(t.month()),
                i32::from(t.day()),
            );
            let date = [
                digit(y / 1000),
                digit(y / 100),
                digit(y / 10),
                digit(y),
                b'-',
                digit(m / 10),
                digit(m),
                b'-',
                digit(d / 10),
                digit(d),
            ];
            LAST_DAY.with(|last| last.set((day, date)));
            date
        };
        out.extend_from_slice(&date);
        let in_day = local.rem_euclid(86_400_000) as i32;
        let sign = if seconds < 0 { b'-' } else { b'+' };
        let seconds = seconds.abs();
        // `THH:MM:SS.mmm+HH:MM` in one piece, every division by a constant (a multiplication):
        // a loop over the fields divided by powers of ten it computed, 30 divisions a time.
        let (h, m, s, ms) = (
            in_day / 3_600_000,
            in_day / 60_000 % 60,
            in_day / 1000 % 60,
            in_day % 1000,
        );
        // An offset is less than 26 hours: two digits.
        let (oh, om) = (seconds / 3600, seconds % 3600 / 60);
        out.extend_from_slice(&[
            b'T',
            digit(h / 10),
            digit(h),
            b':',
            digit(m / 10),
            digit(m),
            b':',
            digit(s / 10),
            digit(s),
            b'.',
            digit(ms / 100),
            digit(ms / 10),
            digit(ms),
            sign,
            digit(oh / 10),
            digit(oh),
            b':',
            digit(om / 10),
            digit(om),
        ]);
    }

    /// `2026-03-29 14:05` for tables and headers.
    pub fn short(&self, ms: i64) -> String {
        match self.zoned(ms) {
            Some(z) => z.strftime("%Y-%m-%d %H:%M").to_string(),
            None => ms.to_string(),
        }
    }

    /// Parses a `--since` / `--until` value into epoch milliseconds. Accepts a date
    /// (`2026-03-01`, local midnight), a local date-time (`2026-03-01T14:00`, `2026-03-01
    /// 14:00:00`), an instant with an offset (`2026-03-01T14:00:00Z`), or a span back from
    /// now (`7d`, `12h`, `30m`, `2w`).
    pub fn parse_instant(&self, text: &str, now: Timestamp) -> Result<i64> {
        let text = text.trim();
        if let Some(span) = parse_relative(text) {
            // Days and weeks are calendar days of the display zone (across a DST change, 7d
            // back is the same wall-clock time, not 168 hours); hours and less are exact.
            let back = now
                .to_zoned(self.tz.clone())
                .checked_sub(span)
                .map_err(|_| anyhow!("{text:?} reaches too far back"))?;
            return Ok(back.timestamp().as_millisecond());
        }
        if let Ok(ts) = text.parse::<Timestamp>() {
            return Ok(ts.as_millisecond());
        }
        if let Ok(dt) = text.replacen(' ', "T", 1).parse::<DateTime>() {
            return self.local(dt);
        }
        if let Ok(date) = text.parse::<Date>() {
            return self.local(date.to_datetime(jiff::civil::Time::midnight()));
        }
        bail!(
            "cannot read {text:?} as a time: use 2026-03-01, 2026-03-01T14:00, \
             2026-03-01T14:00:00Z or a span like 7d, 12h"
        )
    }

    fn local(&self, dt: DateTime) -> Result<i64> {
        // A local time in a DST gap moves forward; one in a fold takes the earlier instant.
        let zoned = dt
            .to_zoned(self.tz.clone())
            .map_err(|e| anyhow!("{dt} is not a valid time here: {e}"))?;
        Ok(zoned.timestamp().as_millisecond())
    }
}

/// `7d`, `12h`, `30m`, `2w`, `45s` as a span back from now; `None` when it is not one or
/// is too large for any time.
fn parse_relative(text: &str) -> Option<Span> {
    let unit = text.chars().last()?;
    let number: i64 = text[..text.len() - unit.len_utf8()].parse().ok()?;
    if number < 0 {
        return None;
    }
    let span = Span::new();
    match unit {
        's' => span.try_seconds(number),
        'm' => span.try_minutes(number),
        'h' => span.try_hours(number),
        'd' => span.try_days(number),
        'w' => span.try_weeks(number),
        _ => return None,
    }
    .ok()
}

/// The local calendar bucket of a time, as the `--by` keys of stats name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Week,
    Month,
    Hour,
    Weekday,
}

impl Period {
    /// The key of `ms` in the display zone: `2026-03-29`, `2026-W13`, `2026-03`, `14`, `Mon`.
    pub fn key(self, zone: &DisplayZone, ms: i64) -> String {
        let Some(z) = zone.zoned(ms) else {
            return String::from("invalid");
        };
        match self {
            Period::Day => z.strftime("%Y-%m-%d").to_string(),
            Period::Week => {
                let week = z.date().iso_week_date();
                format!("{:04}-W{:02}", week.year(), week.week())
            }
            Period::Month => z.strftime("%Y-%m").to_string(),
            Period::Hour => z.hour().to_string(),
            Period::Weekday => z.strftime("%a").to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_matches_strftime() {
        for zone in [
            "UTC",
            "Europe/Prague",
            "America/St_Johns",
            "Asia/Kolkata",
            "Pacific/Chatham",
        ] {
            let z = DisplayZone::resolve(Some(zone), false).unwrap();
            for ms in [
                0,
                -1,
                1_427_470_439_703,
                1_774_744_199_999, // the DST change in Prague, 2026-03-29
                1_774_744_200_000,
                253_402_300_799_999, // 9999-12-31
                -62_135_596_800_000, // year 1
            ] {
                let slow = z.zoned(ms).map_or(ms.to_string(), |t| {
                    t.strftime("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string()
                });
                assert_eq!(z.rfc3339(ms), slow, "{zone} {ms}");
            }
        }
        assert_eq!(DisplayZone::utc().rfc3339(i64::MAX), i64::MAX.to_string());
    }

    fn prague() -> DisplayZone {
        DisplayZone::resolve(Some("Europe/Prague"), false).unwrap()
    }

    #[test]
    fn local_days_follow_dst() {
        let z = prague();
        let now = Timestamp::UNIX_EPOCH;
        // 2024-03-31 is 23 hours long in Prague.
        let since = z.parse_instant("2024-03-31", now).unwrap();
        let until = z.parse_instant("2024-04-01", now).unwrap();
        assert_eq!(until - since, 23 * 3_600_000);
        // 2023-03-28T23:30Z is already the 29th in Prague (UTC+1 then).
        let ms = "2026-03-28T23:30:00Z"
            .parse::<Timestamp>()
            .unwrap()
            .as_millisecond();
        assert_eq!(Period::Day.key(&z, ms), "2026-03-29");
        assert_eq!(Period::Day.key(&DisplayZone::utc(), ms), "2026-03-28");
    }

    #[test]
    fn relative_days_are_local_days() {
        let z = prague();
        // Noon CEST on 2 April 2024; a week back is noon CET, across the change to summer time.
        let now = "2024-04-02T10:00:00Z".parse::<Timestamp>().unwrap();
        let week = z.parse_instant("7d", now).unwrap();
        assert_eq!(z.rfc3339(week), "2024-03-26T12:00:00.000+01:00");
        assert_eq!(z.parse_instant("1w", now).unwrap(), week);
        // Hours are exact.
        let hours = z.parse_instant("168h", now).unwrap();
        assert_eq!(z.rfc3339(hours), "2024-03-26T11:00:00.000+01:00");
        assert!(z.parse_instant("9000000000000000000s", now).is_err());
        assert!(z.parse_instant("99999999d", now).is_err());
    }

    proptest::proptest! {
        /// Instants a step apart (the same day again, the next, a DST change), in zones with
        /// whole-hour, half-hour and negative offsets: written as strftime writes them.
        #[test]
        fn rfc3339_agrees_with_strftime_across_days_and_zones(
            start in -63_000_000_000_000i64..260_000_000_000_000,
            steps in proptest::collection::vec(-100_000_000i64..100_000_000, 1..30),
            zone in 0usize..4,
        ) {
            let name = ["UTC", "Europe/Prague", "Asia/Kolkata", "America/St_Johns"][zone];
            let z = DisplayZone::resolve(Some(name), false).unwrap();
            let mut ms = start;
            for step in steps {
                ms += step;
                let want = match z.zoned(ms) {
                    Some(t) => t.strftime("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string(),
                    None => ms.to_string(),
                };
                proptest::prop_assert_eq!(z.rfc3339(ms), want, "{} {}", name, ms);
            }
        }
    }

    #[test]
    fn formats_rfc3339_with_offset() {
        let z = prague();
        assert_eq!(z.rfc3339(1427470439703), "2015-03-27T16:33:59.703+01:00");
        assert_eq!(
            DisplayZone::utc().rfc3339(1427470439703),
            "2015-03-27T15:33:59.703+00:00"
        );
        assert_eq!(DisplayZone::utc().rfc3339(i64::MAX), i64::MAX.to_string());
    }

    #[test]
    fn parses_every_since_form() {
        let z = DisplayZone::utc();
        let now = "2026-03-10T00:00:00Z".parse::<Timestamp>().unwrap();
        let day = z.parse_instant("2026-03-01", now).unwrap();
        assert_eq!(z.rfc3339(day), "2026-03-01T00:00:00.000+00:00");
        let t = z.parse_instant("2026-03-01T14:00", now).unwrap();
        assert_eq!(t - day, 14 * 3_600_000);
        assert_eq!(z.parse_instant("2026-03-01 14:00:00", now).unwrap(), t);
        assert_eq!(
            z.parse_instant("2026-03-01T15:00:00+01:00", now).unwrap(),
            t
        );
        assert_eq!(
            z.parse_instant("7d", now).unwrap(),
            z.parse_instant("2026-03-03", now).unwrap()
        );
        assert!(z.parse_instant("yesterday", now).is_err());
        assert_eq!(Period::Week.key(&z, day), "2026-W09");
        assert_eq!(Period::Weekday.key(&z, day), "Sun");
    }
}
