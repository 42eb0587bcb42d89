//! Batching: entities accumulate until a batch reaches its size or its time-out expires.
//!
//! The batcher keeps the open batch; the model schedules the time-out when a batch opens (the
//! generation number tells a stale time-out from a live one) and moves the released entities on.

/// What pushing an entity into the batcher did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchPush {
    /// The entity opened a new batch: schedule its time-out with this generation.
    Opened {
        /// Generation of the new batch.
        generation: u64,
    },
    /// The entity joined the open batch.
    Added,
    /// The entity filled the batch: release it now with [`Batcher::take`].
    Full,
}

/// An open batch of entity indices, released at `size` items or at its time-out.
#[derive(Clone, Debug)]
pub struct Batcher {
    size: u32,
    items: Vec<u32>,
    generation: u64,
    opened_at: f64,
}

impl Batcher {
    /// A batcher releasing batches of `size` items (at least 1).
    pub fn new(size: u32) -> Self {
        Batcher {
            size: size.max(1),
            // Grown as parcels come rather than sized by `size` up front, so that a huge bag size
            // costs memory only for the parcels actually in the open bag.
            items: Vec::with_capacity(size.clamp(1, 1024) as usize),
            generation: 0,
            opened_at: 0.0,
        }
    }

    /// Adds an entity at `now`.
    #[inline]
    pub fn push(&mut self, now: f64, entity: u32) -> BatchPush {
        let opened = self.items.is_empty();
        if opened {
            self.generation += 1;
            self.opened_at = now;
        }
        self.items.push(entity);
        if self.items.len() as u32 >= self.size {
            BatchPush::Full
        } else if opened {
            BatchPush::Opened {
                generation: self.generation,
            }
        } else {
            BatchPush::Added
        }
    }

    /// True if a time-out of `generation` still concerns the open batch.
    pub fn is_live(&self, generation: u64) -> bool {
        generation == self.generation && !self.items.is_empty()
    }

    /// Moves the open batch's entities into `out` (appending) and closes it.
    pub fn take(&mut self, out: &mut Vec<u32>) {
        out.append(&mut self.items);
    }

    /// Items in the open batch.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when no batch is open.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// When the open batch was opened [h].
    pub fn opened_at(&self) -> f64 {
        self.opened_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_at_size_and_tells_stale_time_outs() {
        let mut b = Batcher::new(3);
        let BatchPush::Opened { generation } = b.push(0.0, 1) else {
            panic!("first push opens a batch")
        };
        assert_eq!(b.push(0.5, 2), BatchPush::Added);
        assert_eq!(b.push(0.7, 3), BatchPush::Full);
        let mut out = Vec::new();
        b.take(&mut out);
        assert_eq!(out, vec![1, 2, 3]);
        assert!(
            !b.is_live(generation),
            "the time-out of a released batch is stale"
        );
        assert!(matches!(b.push(1.0, 4), BatchPush::Opened { generation: g } if g != generation));
    }
}
