//! Benchmark (issue 10): Kaplan-Meier (2 groups) + log-rank on N synthetic subjects.
//!
//! `cargo run --release -p tm-outcomes --example survival_bench -- [N] [--write data.csv]`
//! Prints the wall time of the fits (sorting included, input generation excluded). The
//! companion script crates/outcomes/bench/survival_bench.py runs this and lifelines on the
//! same data and prints both times.

use std::io::Write;
use std::time::Instant;

use tm_outcomes::survival::{logrank_stats, sort_obs, KaplanMeier, Obs};

/// Deterministic xorshift64* generator (no dependency).
struct Rng(u64);
impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        ((self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args
        .iter()
        .find(|a| !a.starts_with("--") && a.parse::<usize>().is_ok())
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let write = args
        .iter()
        .position(|a| a == "--write")
        .and_then(|i| args.get(i + 1));
    // Exponential event times (hazard 1.0 vs 0.8), uniform censoring, times rounded to days.
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut obs: Vec<Obs> = (0..n)
        .map(|i| {
            let group = i % 2;
            let hazard = if group == 0 { 1.0 } else { 0.8 };
            let t_event = -rng.uniform().ln() / hazard * 365.0;
            let t_cens = rng.uniform() * 3.0 * 365.0;
            Obs {
                time: t_event.min(t_cens).round(),
                event: t_event <= t_cens,
                group,
                stratum: 0,
            }
        })
        .collect();
    if let Some(path) = write {
        let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create CSV"));
        writeln!(f, "time,event,group").expect("write");
        for o in &obs {
            writeln!(f, "{},{},{}", o.time, u8::from(o.event), o.group).expect("write");
        }
    }
    let start = Instant::now();
    let mut per_group: Vec<Vec<(f64, bool)>> =
        (0..2).map(|_| Vec::with_capacity(n / 2 + 1)).collect();
    for o in &obs {
        per_group[o.group].push((o.time, o.event));
    }
    let fits: Vec<KaplanMeier> = per_group
        .iter_mut()
        .map(|g| {
            g.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
            KaplanMeier::fit_sorted(g, 0.95)
        })
        .collect();
    sort_obs(&mut obs);
    let test = logrank_stats(&obs, 2).test();
    let elapsed = start.elapsed().as_secs_f64();
    let medians: Vec<Option<f64>> = fits.iter().map(|f| f.median().median).collect();
    println!(
        "trialmatch: n={n} KM(2 groups)+log-rank {elapsed:.3} s; medians {medians:?}; chi2 {:.4}",
        test.map(|t| t.chi2).unwrap_or(f64::NAN)
    );
}
