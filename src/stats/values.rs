//! An exact distribution of integer values, for means, medians, nearest-rank percentiles and
//! maxima that are never sampled or approximated.
//!
//! Values are kept as a count per distinct value: response times and durations are whole
//! seconds with many repeats, so memory grows with the number of distinct values, not with
//! the corpus.

use std::collections::BTreeMap;

/// The values one figure has seen. Every statistic of an empty distribution is `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values {
    counts: BTreeMap<i64, u64>,
    len: u64,
    sum: i128,
}

impl Values {
    pub fn add(&mut self, value: i64) {
        *self.counts.entry(value).or_insert(0) += 1;
        self.len += 1;
        self.sum += i128::from(value);
    }

    /// How many values entered.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn sum(&self) -> Option<i128> {
        (!self.is_empty()).then_some(self.sum)
    }

    /// The mean of the values divided by `unit` (1 for values already in the figure's unit,
    /// 1000 for milliseconds shown as seconds), in one correctly rounded division.
    pub fn mean(&self, unit: u32) -> Option<f64> {
        (!self.is_empty()).then(|| self.sum as f64 / (self.len as f64 * f64::from(unit)))
    }

    /// The median divided by `unit`: the middle value, or the mean of the two middle values
    /// of an even count.
    pub fn median(&self, unit: u32) -> Option<f64> {
        let unit = f64::from(unit);
        if self.len % 2 == 1 {
            self.nth(self.len / 2 + 1).map(|v| v as f64 / unit)
        } else {
            let low = self.nth(self.len / 2)?;
            let high = self.nth(self.len / 2 + 1)?;
            // Exact: the sum of two i64 fits i128, and halving is exact in binary.
            Some((i128::from(low) + i128::from(high)) as f64 / (2.0 * unit))
        }
    }

    /// The 90th percentile by nearest rank: the ⌈0.9·n⌉-th smallest value.
    pub fn p90(&self) -> Option<i64> {
        // ⌈9n/10⌉ in integers, so no floating-point rounding can move the rank.
        self.nth((9 * self.len).div_ceil(10))
    }

    /// Each distinct value with how many times it entered, smallest first.
    pub fn counts(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        self.counts.iter().map(|(&value, &count)| (value, count))
    }

    pub fn max(&self) -> Option<i64> {
        self.counts.last_key_value().map(|(&value, _)| value)
    }

    /// The `rank`-th smallest value, counting from 1.
    fn nth(&self, rank: u64) -> Option<i64> {
        if rank == 0 || rank > self.len {
            return None;
        }
        let mut seen = 0;
        for (&value, &count) in &self.counts {
            seen += count;
            if seen >= rank {
                return Some(value);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(values: &[i64]) -> Values {
        let mut v = Values::default();
        for &x in values {
            v.add(x);
        }
        v
    }

    #[test]
    fn no_values_give_no_figures() {
        let v = of(&[]);
        assert_eq!(v.len(), 0);
        assert_eq!(v.mean(1), None);
        assert_eq!(v.median(1), None);
        assert_eq!(v.p90(), None);
        assert_eq!(v.max(), None);
        assert_eq!(v.sum(), None);
    }

    #[test]
    fn one_value_is_every_figure() {
        let v = of(&[14]);
        assert_eq!(v.mean(1), Some(14.0));
        assert_eq!(v.median(1), Some(14.0));
        assert_eq!(v.p90(), Some(14));
        assert_eq!(v.max(), Some(14));
        assert_eq!(v.sum(), Some(14));
    }

    #[test]
    fn two_values_median_is_their_mean_and_p90_the_larger() {
        let v = of(&[7, 2]);
        assert_eq!(v.mean(1), Some(4.5));
        assert_eq!(v.median(1), Some(4.5));
        // ⌈0.9·2⌉ = 2: the second smallest.
        assert_eq!(v.p90(), Some(7));
        assert_eq!(v.max(), Some(7));
    }

    #[test]
    fn ten_values_p90_is_the_ninth() {
        let v = of(&[10, 1, 9, 2, 8, 3, 7, 4, 6, 5]);
        assert_eq!(v.mean(1), Some(5.5));
        assert_eq!(v.median(1), Some(5.5));
        assert_eq!(v.p90(), Some(9));
        assert_eq!(v.max(), Some(10));
    }

    #[test]
    fn eleven_values_p90_rounds_the_rank_up() {
        // ⌈9.9⌉ = 10.
        let v = of(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(v.p90(), Some(9));
        assert_eq!(v.median(1), Some(5.0));
    }

    #[test]
    fn repeated_and_negative_values_count_each_time() {
        let v = of(&[3, 3, 3, -1]);
        assert_eq!(v.len(), 4);
        assert_eq!(v.median(1), Some(3.0));
        assert_eq!(v.mean(1), Some(2.0));
        assert_eq!(v.p90(), Some(3));
    }

    #[test]
    fn milliseconds_shown_as_seconds() {
        let v = of(&[1_500, 2_001]);
        assert_eq!(v.mean(1000), Some(1.7505));
        assert_eq!(v.median(1000), Some(1.7505));
    }

    #[test]
    fn huge_values_do_not_overflow() {
        let v = of(&[i64::MAX, i64::MAX]);
        assert_eq!(v.median(1), Some(i64::MAX as f64));
        assert_eq!(v.sum(), Some(2 * i128::from(i64::MAX)));
    }
}
