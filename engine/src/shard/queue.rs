//! [`RequestQueue`]: a shard's bounded multi-producer queue of requests.
//!
//! Any thread pushes; the thread that serves the shard pops. In normal
//! builds it is crossbeam's lock-free `ArrayQueue`; under `--cfg loom` it is
//! a mutex around a `VecDeque` with the same bounded, non-blocking contract,
//! because loom cannot look inside crossbeam: the loom models check the
//! protocol around the queue (push, then wake the shard), not the queue.

#[cfg(not(loom))]
mod imp {
    /// A bounded MPMC queue; `push` fails when full instead of blocking.
    #[derive(Debug)]
    pub struct RequestQueue<T> {
        inner: crossbeam_queue::ArrayQueue<T>,
    }

    impl<T> RequestQueue<T> {
        /// An empty queue holding at most `capacity` items (`capacity > 0`).
        pub fn new(capacity: usize) -> Self {
            RequestQueue {
                inner: crossbeam_queue::ArrayQueue::new(capacity),
            }
        }

        /// Adds `item`, or gives it back if the queue is full.
        pub fn push(&self, item: T) -> Result<(), T> {
            self.inner.push(item)
        }

        /// Takes the oldest item, if any.
        pub fn pop(&self) -> Option<T> {
            self.inner.pop()
        }

        /// Items waiting now (a snapshot).
        pub fn len(&self) -> usize {
            self.inner.len()
        }
    }
}

#[cfg(loom)]
mod imp {
    use std::collections::VecDeque;

    use crate::sync::{self, Mutex};

    /// The loom stand-in: same contract, built from loom's mutex.
    #[derive(Debug)]
    pub struct RequestQueue<T> {
        inner: Mutex<VecDeque<T>>,
        capacity: usize,
    }

    impl<T> RequestQueue<T> {
        pub fn new(capacity: usize) -> Self {
            RequestQueue {
                inner: Mutex::new(VecDeque::new()),
                capacity,
            }
        }

        pub fn push(&self, item: T) -> Result<(), T> {
            let mut queue = sync::lock(&self.inner);
            if queue.len() >= self.capacity {
                return Err(item);
            }
            queue.push_back(item);
            Ok(())
        }

        pub fn pop(&self) -> Option<T> {
            sync::lock(&self.inner).pop_front()
        }

        pub fn len(&self) -> usize {
            sync::lock(&self.inner).len()
        }
    }
}

pub use imp::RequestQueue;

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn push_fails_when_full_and_pop_is_fifo() {
        let queue = RequestQueue::new(2);
        queue.push(1).unwrap();
        queue.push(2).unwrap();
        assert_eq!(queue.push(3), Err(3));
        assert_eq!(queue.len(), 2);
        assert_eq!(queue.pop(), Some(1));
        assert_eq!(queue.pop(), Some(2));
        assert_eq!(queue.pop(), None);
    }
}
