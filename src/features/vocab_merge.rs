//! Step 2 of a vocabulary fit (see [`crate::features::vocabulary`]):
//! merging workers' local counts into candidate terms (directly, into the
//! first worker's, or sharded by hash) and selecting the final vocabulary
//! from them (pruning by `min_df`/`max_df`/`max_features`, then sorting by
//! term). Kept apart from counting: it runs once per fit, on whole
//! vocabularies rather than tokens.

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::features::interner::{Interner, PendingIndex};
use crate::features::vocab_counts::{LocalCounts, StreamCounts};
use crate::features::vocab_order::{sort_terms, tree_order, TermTree, ROOT};
use crate::features::vocabulary::{Pruning, Vocabulary};
use crate::features::word_trie::find_terms;
use crate::parallel::{install, map_ranges};
use crate::trace::Stages;

/// The merged, pruned vocabulary of one block plus, for each worker, the
/// map from its local ids to final columns (`u32::MAX` = pruned).
pub struct Merged {
    pub vocab: Vocabulary,
    pub df: Vec<u64>,
    pub local_to_col: Vec<Vec<u32>>,
}

/// Candidate terms after merging: `parts` of interners, addressed by a
/// global id = `offsets[part] + local id`.
struct Candidates {
    parts: Vec<Interner>,
    offsets: Vec<u32>,
    df: Vec<u64>,
    /// Total term frequencies; may be empty when `max_features` is unset.
    tf: Vec<u64>,
    /// For each worker, local id -> global id (`None`: identity).
    local_to_global: Vec<Option<Vec<u32>>>,
    /// The word n-gram tree in global ids, when every worker kept one.
    tree: Option<TermTree>,
}

impl Candidates {
    fn locate(&self, g: u32) -> (usize, u32) {
        let p = self.offsets.partition_point(|&o| o <= g) - 1;
        (p, g - self.offsets[p])
    }

    fn term(&self, g: u32) -> &str {
        let (p, l) = self.locate(g);
        self.parts[p].get(l)
    }
}

/// `(min_df, max_df)` as document counts for a corpus of `n_docs`.
fn df_bounds(pruning: &Pruning, n_docs: usize) -> Result<(f64, f64)> {
    let high = pruning.max_df.resolve(n_docs);
    let low = pruning.min_df.resolve(n_docs);
    if high < low {
        return Err(Error::param(
            "max_df",
            "max_df corresponds to fewer documents than min_df",
        ));
    }
    Ok((low, high))
}

/// Merge workers' local counts into one sorted, pruned vocabulary.
pub fn merge(
    locals: &mut [LocalCounts],
    n_docs: usize,
    pruning: &Pruning,
    threads: usize,
) -> Result<Merged> {
    let (low, high) = df_bounds(pruning, n_docs)?;
    // Total term frequencies only rank terms for `max_features`.
    let with_tf = pruning.max_features.is_some();
    let mut stages = Stages::new("vocabulary");
    let (mut cand, pending) = if locals.len() == 1 {
        locals[0].drop_trie();
        let (df, tf) = locals[0].frequencies_with_room(0, with_tf);
        let cand = Candidates {
            parts: vec![std::mem::take(&mut locals[0].terms)],
            offsets: vec![0],
            df,
            tf,
            local_to_global: vec![None],
            tree: None,
        };
        (cand, None)
    } else if locals.len() == 2 {
        merge_into_first(locals, with_tf, threads)?
    } else {
        locals.iter_mut().for_each(LocalCounts::drop_trie);
        (sharded_merge(locals, threads)?, None)
    };
    stages.lap("merge (total)");
    cand.tree = global_tree(locals, &cand.local_to_global, cand.df.len(), threads)?;
    stages.lap("tree");
    select(cand, pending, low, high, pruning, threads)
}

/// The workers' n-gram trees in global ids, if every worker with terms kept
/// one. A term's tree entry is the same in every worker that saw it (it
/// follows from the term's tokens), so later workers only fill in gaps.
fn global_tree(
    locals: &mut [LocalCounts],
    local_to_global: &[Option<Vec<u32>>],
    n_terms: usize,
    threads: usize,
) -> Result<Option<TermTree>> {
    let mut trees = Vec::with_capacity(locals.len());
    for lc in locals.iter_mut() {
        let tree = lc.tree.take();
        match tree {
            Some(t) => trees.push(t),
            None if lc.ids.is_empty() => trees.push(TermTree::default()), // counted nothing
            None => return Ok(None),
        }
    }
    if let [only] = &mut trees[..] {
        if local_to_global[0].is_none() && only.len() == n_terms {
            return Ok(Some(std::mem::take(only)));
        }
    }
    if let ([first, second], [None, Some(map)]) = (&mut trees[..], local_to_global) {
        // Merged into the first worker's ids: its tree holds the terms it
        // saw, and the second's new terms follow in the second's id order.
        let n1 = first.len();
        let tail = map_ranges(threads, second.len(), threads, |r| {
            let mut part = TermTree::default();
            for id in r.filter(|&id| map[id] as usize >= n1) {
                let (p, l) = (second.parent[id], second.last[id]);
                part.push(
                    if p == ROOT { ROOT } else { map[p as usize] },
                    map[l as usize],
                );
            }
            part
        })?;
        let mut out = std::mem::take(first);
        for part in tail {
            out.parent.extend(part.parent);
            out.last.extend(part.last);
        }
        return Ok((out.len() == n_terms).then_some(out));
    }
    let mut out = TermTree {
        parent: vec![ROOT; n_terms],
        last: vec![u32::MAX; n_terms],
    };
    for (tree, map) in trees.iter().zip(local_to_global) {
        let g = |id: u32| map.as_ref().map_or(id, |m| m[id as usize]);
        for (id, (&p, &l)) in tree.parent.iter().zip(&tree.last).enumerate() {
            let at = g(id as u32) as usize;
            if out.last[at] == u32::MAX {
                out.parent[at] = if p == ROOT { ROOT } else { g(p) };
                out.last[at] = g(l);
            }
        }
    }
    // Every candidate term came from some worker's tree.
    Ok(out.last.iter().all(|&l| l != u32::MAX).then_some(out))
}

/// Prune and sort totals gathered by a streaming fit ([`StreamCounts`]):
/// the same selection as [`merge`], so a streamed vocabulary equals the one
/// fitted on all documents at once.
pub fn select_totals(
    totals: &StreamCounts,
    n_docs: usize,
    pruning: &Pruning,
    threads: usize,
) -> Result<(Vocabulary, Vec<u64>)> {
    let (low, high) = df_bounds(pruning, n_docs)?;
    let cand = Candidates {
        parts: vec![totals.terms.clone()],
        offsets: vec![0],
        df: totals.df.clone(),
        tf: totals.tf.clone(),
        local_to_global: vec![None],
        tree: None,
    };
    let m = select(cand, None, low, high, pruning, threads)?;
    Ok((m.vocab, m.df))
}

/// Prune and order the candidates into the final vocabulary. `pending` is
/// the detached table of a one-part candidate set whose newest terms are
/// not indexed yet ([`merge_into_first`]). When that interner is kept as the
/// vocabulary's, the table goes with it, to be completed on the vocabulary's
/// first lookup (see `LazyIndex`); otherwise the survivors are copied into
/// a new interner, also left to be indexed then, and the table is dropped.
fn select(
    mut cand: Candidates,
    pending: Option<PendingIndex>,
    low: f64,
    high: f64,
    pruning: &Pruning,
    threads: usize,
) -> Result<Merged> {
    let n_terms = cand.df.len();
    let in_bounds = |t: u32| {
        let d = cand.df[t as usize] as f64;
        d <= high && d >= low
    };
    // Keep the fit's own interner when it is one part and most terms
    // survive (no copy); otherwise copy the survivors into a compact one.
    let n_kept = (0..n_terms as u32).filter(|&t| in_bounds(t)).count();
    let n_kept = pruning.max_features.map_or(n_kept, |m| n_kept.min(m));
    let reuse = cand.parts.len() == 1 && n_kept * 4 >= n_terms * 3;
    let mut stages = Stages::new("vocabulary");
    let kept = choose(&cand, &in_bounds, pruning, threads)?;
    stages.lap("order");
    debug_assert_eq!(kept.len(), n_kept);
    if kept.is_empty() {
        return Err(Error::InvalidInput(
            if n_terms == 0 {
                "empty vocabulary: the documents produced no terms (are they empty or only stop words?)"
            } else {
                "after pruning, no terms remain; try a lower min_df or a higher max_df"
            }
            .into(),
        ));
    }
    let (global_to_col, final_df) = columns(&kept, &cand.df, threads)?;
    stages.lap("columns");
    let vocab = if reuse {
        let terms = cand.parts.pop().expect("one part");
        Vocabulary::fitted(terms, pending, global_to_col.clone(), kept)
    } else {
        let bytes: usize = kept.iter().map(|&g| cand.term(g).len()).sum();
        let mut it = Interner::with_capacity(kept.len(), bytes);
        for &g in &kept {
            let (p, l) = cand.locate(g);
            it.push_unindexed(cand.parts[p].get(l), cand.parts[p].hash_of(l));
        }
        Vocabulary::fitted(it, None, Vec::new(), Vec::new())
    };
    let local_to_col = cand
        .local_to_global
        .into_iter()
        .map(|m| match m {
            None => global_to_col.clone(),
            Some(v) => v.into_iter().map(|g| global_to_col[g as usize]).collect(),
        })
        .collect();
    stages.lap("maps");
    Ok(Merged {
        vocab,
        df: final_df,
        local_to_col,
    })
}

/// Each candidate's column (`u32::MAX`: pruned) and each column's document
/// frequency, from the surviving candidates in column order: one on each
/// of two threads, as both read or write all over arrays of millions.
fn columns(kept: &[u32], df: &[u64], threads: usize) -> Result<(Vec<u32>, Vec<u64>)> {
    let cols = || {
        let mut global_to_col = vec![u32::MAX; df.len()];
        for (col, &g) in kept.iter().enumerate() {
            global_to_col[g as usize] = col as u32;
        }
        global_to_col
    };
    let dfs = || kept.iter().map(|&g| df[g as usize]).collect();
    if threads <= 1 {
        return Ok((cols(), dfs()));
    }
    install(2, || rayon::join(cols, dfs))
}

/// The surviving candidates' global ids in column order: in document
/// frequency bounds, then the `max_features` most frequent of those.
fn choose(
    cand: &Candidates,
    in_bounds: &(dyn Fn(u32) -> bool + Sync),
    pruning: &Pruning,
    threads: usize,
) -> Result<Vec<u32>> {
    let n_terms = cand.df.len();
    let loc: Vec<(usize, u32)> = if cand.parts.len() == 1 {
        Vec::new()
    } else {
        (0..n_terms as u32).map(|g| cand.locate(g)).collect()
    };
    let term = |g: u32| -> &str {
        if loc.is_empty() {
            cand.parts[0].get(g)
        } else {
            let (p, l) = loc[g as usize];
            cand.parts[p].get(l)
        }
    };
    // Word n-grams are ordered by walking their tree (all terms, the pruned
    // ones skipped); other terms are pruned by document frequency first, as
    // sorting only the survivors is cheaper and gives the same order
    // scikit-learn gets by sorting first.
    let walked = match &cand.tree {
        Some(tree) => tree_order(tree, &term, in_bounds, threads)?,
        None => None,
    };
    let mut kept: Vec<u32> = match walked {
        Some(order) => order,
        None => {
            let mut kept: Vec<u32> = (0..n_terms as u32).filter(|&t| in_bounds(t)).collect();
            sort_terms(&mut kept, &term, threads)?;
            kept
        }
    };
    if let Some(limit) = pruning.max_features {
        if kept.len() > limit {
            // most frequent first; ties keep alphabetical order (stable sort)
            let mut by_tf = kept.clone();
            by_tf.sort_by(|&a, &b| cand.tf[b as usize].cmp(&cand.tf[a as usize]));
            by_tf.truncate(limit);
            let mut keep = vec![false; n_terms];
            by_tf.iter().for_each(|&t| keep[t as usize] = true);
            kept.retain(|&t| keep[t as usize]);
        }
    }
    Ok(kept)
}

/// Merge two workers' vocabularies into the first one's: its interner
/// becomes the global one (ids unchanged), the second's terms are looked up
/// or added. With two workers this beats sharding, which re-interns every
/// term and must then copy the survivors into a new vocabulary. The lookups
/// only read (through the workers' word tries, or the first's table), so
/// they run on all threads; the new terms are then appended in order,
/// unindexed, each thread copying a part. The table comes back detached,
/// for [`select`] to hand to the vocabulary, which completes it on its
/// first lookup (or to drop): it holds the first worker's terms when they
/// were looked up by string (`char_wb`, say), none after a word fit.
fn merge_into_first(
    locals: &mut [LocalCounts],
    with_tf: bool,
    threads: usize,
) -> Result<(Candidates, Option<PendingIndex>)> {
    let [first, second] = &*locals else {
        return Err(Error::InvalidInput(format!(
            "merge_into_first takes two workers, not {}",
            locals.len()
        )));
    };
    let mut stages = Stages::new("vocabulary");
    let freqs = map_ranges(threads, 2, 2, |r| {
        let room = if r.start == 0 { second.terms.len() } else { 0 };
        [first, second][r.start].frequencies_with_room(room, with_tf)
    })?;
    let [(mut df, mut tf), (wdf, wtf)]: [(Vec<u64>, Vec<u64>); 2] =
        freqs.try_into().expect("two workers, two results");
    stages.lap("merge: frequencies");
    // The second worker's terms are found through the word tries when both
    // workers kept one (see `word_trie`), otherwise by string.
    let by_trie = match (first.trie_terms(), second.trie_terms()) {
        (Some(a), Some(b)) => Some(find_terms(&a, &b, threads)?),
        _ => None,
    };
    if by_trie.is_none() {
        // Found by string: the first worker's terms must all be indexed
        // (workers leave the terms they appended while counting to the
        // merge).
        locals[0].terms.index_pending();
    }
    let global = &locals[0].terms;
    let terms = &locals[1].terms;
    // Per part: each term's global id (u32::MAX: new) and the new terms.
    let mut found = map_ranges(threads, terms.len(), threads, |r| {
        let mut new = Vec::new();
        let ids: Vec<u32> = r
            .map(|id| {
                let id = id as u32;
                let g = match &by_trie {
                    Some(m) => Some(m[id as usize]).filter(|&g| g != u32::MAX),
                    None => global.find_hashed(terms.get(id), terms.hash_of(id)),
                };
                g.unwrap_or_else(|| {
                    new.push(id);
                    u32::MAX
                })
            })
            .collect();
        (ids, new)
    })?;
    stages.lap("merge: lookups");
    drop(by_trie);
    locals.iter_mut().for_each(LocalCounts::drop_trie);
    let mut global = std::mem::take(&mut locals[0].terms);
    let terms = std::mem::take(&mut locals[1].terms);
    // The new terms are appended unindexed; the table comes back detached.
    let pending = global.detach_index();
    let new_lists: Vec<Vec<u32>> = found.iter_mut().map(|p| std::mem::take(&mut p.1)).collect();
    let firsts = global.append_parts_unindexed(&terms, &new_lists, threads)?;
    drop(new_lists);
    let number_new = |(ids, first): (&mut Vec<u32>, u32)| {
        for (next, g) in (first..).zip(ids.iter_mut().filter(|g| **g == u32::MAX)) {
            *g = next;
        }
    };
    let mut parts: Vec<Vec<u32>> = found.into_iter().map(|p| p.0).collect();
    if threads <= 1 {
        // (Not rayon's global pool: `install` runs one thread inline.)
        parts.iter_mut().zip(firsts).for_each(number_new);
    } else {
        install(threads, || {
            parts
                .par_iter_mut()
                .zip(firsts.into_par_iter())
                .for_each(number_new)
        })?;
    }
    let map = parts.concat();
    drop(parts);
    stages.lap("merge: new terms");
    df.resize(global.len(), 0);
    add_counts(&mut df, &map, &wdf, threads)?;
    if with_tf {
        tf.resize(global.len(), 0);
        add_counts(&mut tf, &map, &wtf, threads)?;
    }
    stages.lap("merge: counts");
    let cand = Candidates {
        parts: vec![global],
        offsets: vec![0],
        df,
        tf,
        local_to_global: vec![None, Some(map)],
        tree: None,
    };
    Ok((cand, Some(pending)))
}

/// Merge several workers' vocabularies in parallel: terms are split into
/// shards by hash, each shard merged by one task, then shards laid end to end.
/// `dst[map[id]] += src[id]` for every id, on all threads: each takes a
/// range of `dst` and the ids mapped into it. The updates land all over an
/// array of millions of counts (cache misses); done on one thread, for
/// document and term frequencies, they were a third of the two-worker
/// merge.
fn add_counts(dst: &mut [u64], map: &[u32], src: &[u64], threads: usize) -> Result<()> {
    if threads <= 1 {
        for (id, &g) in map.iter().enumerate() {
            dst[g as usize] += src[id];
        }
        return Ok(());
    }
    let chunk = dst.len().div_ceil(threads).max(1);
    install(threads, || {
        dst.par_chunks_mut(chunk).enumerate().for_each(|(k, d)| {
            let start = k * chunk;
            for (id, &g) in map.iter().enumerate() {
                if let Some(at) = (g as usize).checked_sub(start).filter(|&a| a < d.len()) {
                    d[at] += src[id];
                }
            }
        })
    })
}

fn sharded_merge(locals: &mut [LocalCounts], threads: usize) -> Result<Candidates> {
    let n_shards = (threads * 8).next_power_of_two().max(8);
    let shard_of = |h: u64| ((h >> 40) as usize) & (n_shards - 1);
    // Per worker: frequencies, and its ids grouped by shard.
    // ((document frequencies, term frequencies), local ids by shard)
    type WorkerInfo = ((Vec<u64>, Vec<u64>), Vec<Vec<u32>>);
    let per_worker: Vec<WorkerInfo> = map_ranges(threads, locals.len(), locals.len(), |r| {
        let lc = &locals[r.start];
        let mut buckets = vec![Vec::new(); n_shards];
        for id in 0..lc.terms.len() as u32 {
            buckets[shard_of(lc.terms.hash_of(id))].push(id);
        }
        (lc.frequencies(), buckets)
    })?;
    let locals_ref: &[LocalCounts] = locals;
    // Per shard: merged interner, df/tf, and (worker, local id, shard id).
    type Shard = (Interner, Vec<u64>, Vec<u64>, Vec<(u32, u32, u32)>);
    let shards: Vec<Shard> = map_ranges(threads, n_shards, n_shards, |r| {
        let s = r.start;
        let mut it = Interner::default();
        let (mut df, mut tf) = (Vec::new(), Vec::new());
        let mut links = Vec::new();
        for (w, ((wdf, wtf), buckets)) in per_worker.iter().enumerate() {
            let lc = &locals_ref[w];
            for &id in &buckets[s] {
                let (sid, new) = it.intern_hashed(lc.terms.get(id), lc.terms.hash_of(id));
                if new {
                    df.push(0);
                    tf.push(0);
                }
                df[sid as usize] += wdf[id as usize];
                tf[sid as usize] += wtf[id as usize];
                links.push((w as u32, id, sid));
            }
        }
        (it, df, tf, links)
    })?;
    let mut offsets = Vec::with_capacity(n_shards);
    let mut acc = 0u32;
    for (it, ..) in &shards {
        offsets.push(acc);
        acc += it.len() as u32;
    }
    let mut local_to_global: Vec<Vec<u32>> =
        locals.iter().map(|l| vec![0u32; l.terms.len()]).collect();
    let mut df = Vec::with_capacity(acc as usize);
    let mut tf = Vec::with_capacity(acc as usize);
    let mut parts = Vec::with_capacity(n_shards);
    for (s, (it, sdf, stf, links)) in shards.into_iter().enumerate() {
        for (w, id, sid) in links {
            local_to_global[w as usize][id as usize] = offsets[s] + sid;
        }
        df.extend(sdf);
        tf.extend(stf);
        parts.push(it);
    }
    for lc in locals.iter_mut() {
        lc.terms = Interner::default(); // free local vocabularies early
    }
    Ok(Candidates {
        parts,
        offsets,
        df,
        tf,
        local_to_global: local_to_global.into_iter().map(Some).collect(),
        tree: None,
    })
}
