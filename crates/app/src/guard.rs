//! The panic harness: run a closure, turn a panic into its message, keep the
//! default "thread panicked" text off stderr while guarded (the caller
//! reports the panic with its context instead). One copy, used by
//! `bench match-all`, the server and `tm-eval`'s compile-all.

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

/// A caught panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panicked {
    /// The panic payload (`panic!("…")`'s message), or `"panic"`.
    pub message: String,
    /// The hook's one-line report: `panicked at FILE:LINE:COL: message`.
    pub report: String,
}

impl std::fmt::Display for Panicked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.report)
    }
}

thread_local! {
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

static INSTALL: Once = Once::new();

/// Installs (once per process) a hook that records the report of a panic
/// inside [`guarded`] on its thread and defers to the previous hook for
/// every other panic.
fn install() {
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if DEPTH.with(Cell::get) > 0 {
                let report = info.to_string().replace('\n', " ");
                LAST.with(|l| *l.borrow_mut() = Some(report));
            } else {
                previous(info);
            }
        }));
    });
}

/// The message of a panic payload.
pub fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

/// Runs `f`; a panic becomes `Err(Panicked)` and prints nothing.
pub fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, Panicked> {
    install();
    DEPTH.with(|d| d.set(d.get() + 1));
    let r = catch_unwind(AssertUnwindSafe(f));
    DEPTH.with(|d| d.set(d.get() - 1));
    r.map_err(|p| {
        let message = panic_message(p.as_ref());
        let report = LAST
            .with(|l| l.borrow_mut().take())
            .unwrap_or_else(|| message.clone());
        Panicked { message, report }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message() {
        let r = guarded(|| -> u8 { panic!("boom {}", 7) });
        let p = r.unwrap_err();
        assert_eq!(p.message, "boom 7");
        assert!(p.report.contains("boom 7") && p.report.contains("guard.rs"));
        assert_eq!(guarded(|| 3).unwrap(), 3);
        // nested guards
        let outer = guarded(|| guarded(|| -> () { panic!("inner") }).is_err());
        assert_eq!(outer, Ok(true));
    }
}
