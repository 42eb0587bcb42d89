//! Answers already computed, keyed by the question (scenario hash, overrides, seed,
//! replications): a repeated question is answered at once, without simulating.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// Everything the page offers about one comparison.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The question's key (hex), which names the answer in URLs.
    pub id: String,
    /// The `compare --json` document, byte for byte.
    pub json: String,
    /// The HTML report.
    pub html: String,
    /// The Markdown memo.
    pub memo: String,
    /// The report's content as HTML elements, shown in the page.
    pub body: String,
    /// The `clearsim compare` command that gives the same numbers.
    pub command: String,
    /// Its arguments, unquoted.
    pub args: Vec<String>,
}

/// The answers by question, and the questions in the order they were first answered.
type Held = (HashMap<String, Arc<Answer>>, VecDeque<String>);

/// The most recent answers, up to a fixed number (the oldest is forgotten first).
#[derive(Debug)]
pub struct Cache {
    capacity: usize,
    held: Mutex<Held>,
}

impl Cache {
    /// A cache of at most `capacity` answers.
    pub fn new(capacity: usize) -> Self {
        Cache {
            capacity: capacity.max(1),
            held: Mutex::new((HashMap::new(), VecDeque::new())),
        }
    }

    /// The answer to the question `key`, if known.
    pub fn get(&self, key: &str) -> Option<Arc<Answer>> {
        let held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        held.0.get(key).cloned()
    }

    /// Keeps `answer`, forgetting the oldest one when full.
    pub fn insert(&self, answer: Arc<Answer>) {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        let (map, order) = &mut *held;
        if map.insert(answer.id.clone(), answer.clone()).is_none() {
            order.push_back(answer.id.clone());
        }
        while order.len() > self.capacity {
            if let Some(old) = order.pop_front() {
                map.remove(&old);
            }
        }
    }
}
