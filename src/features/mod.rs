//! Features: n-gram analyzers, vocabularies, TF-IDF weighting, feature
//! hashing and CSR assembly.

mod char_trie;
mod chunk_tokens;
pub mod csr;
pub mod entities;
mod fit_rows;
mod gazetteer_entries;
pub mod hashing;
mod id_map;
mod inline_map;
pub mod interner;
pub mod ngrams;
mod pair_analysis;
mod pair_cues;
mod pair_row;
pub mod pairs;
pub mod stream;
pub mod tfidf;
pub mod token_features;
mod transform_cache;
pub mod vectorizer;
mod vocab_counts;
mod vocab_merge;
mod vocab_order;
pub mod vocabulary;
mod word_clusters;
mod word_trie;
