//! Features: n-gram analyzers, vocabularies, TF-IDF weighting, feature
//! hashing and CSR assembly.

pub mod csr;
pub mod entities;
pub mod hashing;
pub mod interner;
pub mod ngrams;
pub mod pairs;
pub mod stream;
pub mod tfidf;
pub mod token_features;
pub mod vectorizer;
pub mod vocabulary;
