//! "Run them all": compile every criteria text, catching panics per text,
//! and the single-thread compile benchmark.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::texts::CriteriaText;

/// A text whose compilation panicked.
#[derive(Debug, Clone, Serialize)]
pub struct Panic {
    pub id: String,
    pub message: String,
}

/// `trialmatch eval compile-all` result.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CompileAllReport {
    pub texts: usize,
    pub criteria: usize,
    pub atoms: usize,
    pub bytes: usize,
    pub panics: Vec<Panic>,
    pub seconds: f64,
}

/// Compiles each text with `compile` under the panic harness
/// (`tm_app::guard`: the default panic message is silenced; each panic is
/// reported in the result with its trial id instead).
pub fn compile_all(
    texts: &[CriteriaText],
    compile: &(dyn Fn(&str) -> tm_criteria::CompiledCriteria + Sync),
) -> CompileAllReport {
    let start = Instant::now();
    let mut r = CompileAllReport::default();
    for t in texts {
        r.texts += 1;
        r.bytes += t.text.len();
        match tm_app::guard::guarded(|| compile(&t.text)) {
            Ok(c) => {
                r.criteria += c.criteria.len();
                r.atoms += c.criteria.iter().map(|c| c.atoms.len()).sum::<usize>();
            }
            Err(p) => r.panics.push(Panic {
                id: t.id.clone(),
                message: p.message,
            }),
        }
    }
    r.seconds = start.elapsed().as_secs_f64();
    r
}

/// `trialmatch eval bench-compile` result.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub texts: usize,
    pub bytes: usize,
    pub criteria: usize,
    pub runs: usize,
    /// Per run, seconds.
    pub run_seconds: Vec<f64>,
    pub best_seconds: f64,
    pub median_seconds: f64,
    /// texts / best run.
    pub texts_per_second: f64,
    /// The slowest texts of the first run (id, bytes, milliseconds).
    pub slowest: Vec<SlowText>,
}

/// One text's compile time.
#[derive(Debug, Clone, Serialize)]
pub struct SlowText {
    pub id: String,
    pub bytes: usize,
    pub ms: f64,
}

/// Compiles all texts `runs` times on the calling thread.
pub fn bench(texts: &[CriteriaText], runs: usize) -> BenchReport {
    let runs = runs.max(1);
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut criteria = 0;
    let mut slowest: Vec<SlowText> = Vec::new();
    for run in 0..runs {
        let start = Instant::now();
        let mut n = 0;
        for t in texts {
            let t0 = (run == 0).then(Instant::now);
            n += std::hint::black_box(tm_criteria::compile(&t.text))
                .criteria
                .len();
            if let Some(t0) = t0 {
                slowest.push(SlowText {
                    id: t.id.clone(),
                    bytes: t.text.len(),
                    ms: t0.elapsed().as_secs_f64() * 1e3,
                });
            }
        }
        times.push(start.elapsed());
        criteria = n;
    }
    slowest.sort_by(|a, b| b.ms.total_cmp(&a.ms));
    slowest.truncate(10);
    let mut secs: Vec<f64> = times.iter().map(|d| d.as_secs_f64()).collect();
    let run_seconds = secs.clone();
    secs.sort_by(|a, b| a.total_cmp(b));
    let best = secs[0];
    let median = secs[secs.len() / 2];
    BenchReport {
        texts: texts.len(),
        bytes: texts.iter().map(|t| t.text.len()).sum(),
        criteria,
        runs,
        run_seconds,
        best_seconds: best,
        median_seconds: median,
        texts_per_second: texts.len() as f64 / best.max(1e-9),
        slowest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_are_caught_and_reported_with_the_id() {
        let texts = vec![
            CriteriaText {
                id: "NCT1".into(),
                text: "Inclusion Criteria:\n- Age >= 18 years\n".into(),
            },
            CriteriaText {
                id: "NCT2".into(),
                text: "boom".into(),
            },
        ];
        let r = compile_all(&texts, &|t: &str| {
            if t == "boom" {
                panic!("exploded on {t}");
            }
            tm_criteria::compile(t)
        });
        assert_eq!(r.texts, 2);
        assert_eq!(r.panics.len(), 1);
        assert_eq!(r.panics[0].id, "NCT2");
        assert_eq!(r.panics[0].message, "exploded on boom");
        assert!(r.criteria >= 1);
    }
}
