//! Values built on first use, like `LazyLock`, that the language server drops when no document
//! is open (`forget_all`) and builds again for the next one.
//!
//! Why: a compiled regular expression keeps search caches (the regex crate's lazy DFA, one per
//! thread that searched) that grow with the text searched and are freed only with the
//! expression. In a `LazyLock` they live as long as the process, so a server that analysed a
//! few large documents stayed megabytes above where it started after closing them.

use std::sync::{Arc, Mutex, Once, PoisonError, RwLock};

/// A value built by `init` on first use, shared until `forget_all`.
pub struct Resettable<T: 'static> {
    init: fn() -> T,
    slot: RwLock<Option<Arc<T>>>,
    registered: Once,
}

/// What `forget_all` calls on each value built so far.
trait Forget: Sync {
    fn forget(&self);
}

/// Every `Resettable` that was built at least once.
static REGISTRY: Mutex<Vec<&'static dyn Forget>> = Mutex::new(Vec::new());

impl<T: Send + Sync + 'static> Resettable<T> {
    pub const fn new(init: fn() -> T) -> Self {
        Self {
            init,
            slot: RwLock::new(None),
            registered: Once::new(),
        }
    }

    /// The value, built now if it was never built or was forgotten since. Take it once per
    /// call of the code that uses it, not once per line of a loop.
    pub fn get(&'static self) -> Arc<T> {
        if let Some(value) = self
            .slot
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            return value.clone();
        }
        let mut slot = self.slot.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(value) = slot.as_ref() {
            return value.clone();
        }
        let value = Arc::new((self.init)());
        *slot = Some(value.clone());
        drop(slot);
        self.registered.call_once(|| {
            REGISTRY
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(self);
        });
        value
    }
}

impl<T: Send + Sync + 'static> Forget for Resettable<T> {
    fn forget(&self) {
        // a search running now keeps its own `Arc` until it ends
        self.slot
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }
}

/// Drops every value built so far; each is built again when next used.
pub fn forget_all() {
    let registry = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
    for value in registry.iter() {
        value.forget();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static BUILT: AtomicUsize = AtomicUsize::new(0);
    static VALUE: Resettable<String> = Resettable::new(|| {
        BUILT.fetch_add(1, Ordering::SeqCst);
        "built".to_string()
    });

    #[test]
    fn a_value_is_built_once_and_again_after_forget_all() {
        let first = VALUE.get();
        let again = VALUE.get();
        assert!(Arc::ptr_eq(&first, &again));
        let built = BUILT.load(Ordering::SeqCst);
        forget_all();
        let after = VALUE.get();
        assert_eq!(*after, "built");
        assert!(!Arc::ptr_eq(&first, &after), "forgotten, then built anew");
        assert!(BUILT.load(Ordering::SeqCst) > built);
    }
}
