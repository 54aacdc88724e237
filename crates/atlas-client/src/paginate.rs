use std::future::Future;

use futures_util::{StreamExt, stream};

use super::{Error, Page, PageRequest};

/// How far a list walk may go. A server decides how many pages there are;
/// these bounds decide how many we are willing to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_items: u64,
    pub max_pages: u32,
}

impl Limits {
    pub const DEFAULT_MAX_ITEMS: u64 = 100_000;
    pub const DEFAULT_MAX_PAGES: u32 = 1_000;
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_items: Self::DEFAULT_MAX_ITEMS,
            max_pages: Self::DEFAULT_MAX_PAGES,
        }
    }
}

fn too_many_items(n: u64, limits: Limits) -> Error {
    Error::Bound(format!(
        "the list has {n} items or more, over the limit of {} (--max-items raises it); nothing was truncated, nothing is shown",
        limits.max_items
    ))
}

fn too_many_pages(limits: Limits) -> Error {
    Error::Bound(format!(
        "the list did not end within {} pages (--max-pages raises the limit); the server kept sending full pages",
        limits.max_pages
    ))
}

/// A page holding more than was asked for is a server fault, not a list.
fn checked<T>(page: Page<T>, per_page: u32) -> Result<Page<T>, Error> {
    if page.results.len() as u64 > u64::from(per_page) {
        return Err(Error::Bound(format!(
            "a page came back with {} items for {per_page} asked: refusing a list the server does not page",
            page.results.len()
        )));
    }
    Ok(page)
}

/// Fetches every page of a list, within `limits`. When the first page tells
/// the total, exactly the pages that total needs are fetched, at most
/// `concurrency` at a time; when it does not (Atlas omits or zeroes
/// `totalCount`, and `next` links are not reliable), pages are walked until
/// one comes back short. Hitting a limit is an error, never a silent cut.
pub async fn fetch_all<T, F, Fut>(
    per_page: u32,
    concurrency: usize,
    limits: Limits,
    fetch: F,
) -> Result<Vec<T>, Error>
where
    F: Fn(PageRequest) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    fetch_all_kept(per_page, concurrency, limits, fetch, |t| t).await
}

/// [`fetch_all`], trusting no count: after the pages `totalCount` needs,
/// a full last page means the list may go on, and it is read until a short
/// page (one request more when the count ends on a full page). For the
/// TUI's whole list, which must not miss a certificate that exists.
pub async fn fetch_all_to_short<T, F, Fut>(
    per_page: u32,
    concurrency: usize,
    limits: Limits,
    fetch: F,
) -> Result<Vec<T>, Error>
where
    F: Fn(PageRequest) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    walk(per_page, concurrency, limits, fetch, |t| t, true).await
}

/// [`fetch_all`], keeping of each item only what `keep` makes of it as its
/// page arrives: a long list is held in its compact form, never whole.
pub async fn fetch_all_kept<T, U, F, Fut>(
    per_page: u32,
    concurrency: usize,
    limits: Limits,
    fetch: F,
    keep: impl FnMut(T) -> U,
) -> Result<Vec<U>, Error>
where
    F: Fn(PageRequest) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    walk(per_page, concurrency, limits, fetch, keep, false).await
}

/// The walk behind them all; `to_short`: a full last counted page is read
/// past even when the count was met.
async fn walk<T, U, F, Fut>(
    per_page: u32,
    concurrency: usize,
    limits: Limits,
    fetch: F,
    mut keep: impl FnMut(T) -> U,
    to_short: bool,
) -> Result<Vec<U>, Error>
where
    F: Fn(PageRequest) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    let per_page = per_page.max(1);
    let is_full = |n: usize| n as u64 >= u64::from(per_page);
    let first = checked(fetch(PageRequest::first(per_page)).await?, per_page)?;
    let total = first.known_total();
    if let Some(t) = total.filter(|t| *t > limits.max_items) {
        return Err(too_many_items(t, limits));
    }
    let mut out: Vec<U> = first.results.into_iter().map(&mut keep).collect();
    if !is_full(out.len()) {
        return Ok(out);
    }
    let mut next: u32 = 2;
    if let Some(total) = total {
        let pages = total.div_ceil(u64::from(per_page));
        if pages > u64::from(limits.max_pages) {
            return Err(too_many_pages(limits));
        }
        // `pages` fits in u32: it is at most max_pages.
        let mut rest = stream::iter(2..=pages as u32)
            .map(|n| fetch(PageRequest::new(n, per_page)))
            .buffered(concurrency.max(1));
        let mut last_full = true;
        while let Some(page) = rest.next().await {
            let page = checked(page?, per_page)?;
            last_full = is_full(page.results.len());
            out.extend(page.results.into_iter().map(&mut keep));
            if out.len() as u64 > limits.max_items {
                return Err(too_many_items(out.len() as u64, limits));
            }
        }
        // More than counted, and the last page full: the count is short of
        // the list (it happens); read on until a short page, within bounds.
        if !(last_full && (to_short || out.len() as u64 > total)) {
            return Ok(out);
        }
        next = pages.max(1) as u32 + 1;
    }
    loop {
        if next > limits.max_pages {
            return Err(too_many_pages(limits));
        }
        let page = checked(fetch(PageRequest::new(next, per_page)).await?, per_page)?;
        let full = is_full(page.results.len());
        out.extend(page.results.into_iter().map(&mut keep));
        if out.len() as u64 > limits.max_items {
            return Err(too_many_items(out.len() as u64, limits));
        }
        if !full {
            return Ok(out);
        }
        next += 1;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// A list of `items`; `count` is what the server says `totalCount` is.
    fn pager(
        items: u32,
        count: Option<u64>,
        calls: &Mutex<Vec<u32>>,
    ) -> impl Fn(PageRequest) -> std::future::Ready<Result<Page<u32>, Error>> + '_ {
        move |p: PageRequest| {
            calls.lock().unwrap().push(p.page_num);
            let start = (p.page_num - 1).saturating_mul(p.items_per_page);
            let results: Vec<u32> = (start..items.min(start + p.items_per_page)).collect();
            std::future::ready(Ok(Page {
                results,
                total_count: Some(count.unwrap_or(0)),
                links: vec![],
            }))
        }
    }

    #[tokio::test]
    async fn counted_lists_fetch_each_page_once() {
        let calls = Mutex::new(vec![]);
        let all = fetch_all(500, 4, Limits::default(), pager(1201, Some(1201), &calls))
            .await
            .unwrap();
        assert_eq!(all, (0..1201).collect::<Vec<_>>());
        assert_eq!(*calls.lock().unwrap(), vec![1, 2, 3]);
    }

    #[tokio::test]
    async fn a_count_that_ends_on_a_full_page_needs_no_extra_page() {
        let calls = Mutex::new(vec![]);
        let all = fetch_all(100, 4, Limits::default(), pager(1000, Some(1000), &calls))
            .await
            .unwrap();
        assert_eq!(all.len(), 1000);
        assert_eq!(calls.lock().unwrap().len(), 10);
    }

    #[tokio::test]
    async fn uncounted_lists_walk_until_short_page() {
        let calls = Mutex::new(vec![]);
        let all = fetch_all(100, 4, Limits::default(), pager(300, None, &calls))
            .await
            .unwrap();
        assert_eq!(all.len(), 300);
        // 300 is a multiple of 100: the empty 4th page proves the end.
        assert_eq!(*calls.lock().unwrap(), vec![1, 2, 3, 4]);
    }

    #[tokio::test]
    async fn single_short_page() {
        let calls = Mutex::new(vec![]);
        let all = fetch_all(100, 4, Limits::default(), pager(3, Some(3), &calls))
            .await
            .unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(*calls.lock().unwrap(), vec![1]);
    }

    #[tokio::test]
    async fn an_endless_uncounted_list_stops_at_the_page_limit() {
        let calls = Mutex::new(vec![]);
        let limits = Limits {
            max_items: u64::MAX,
            max_pages: 50,
        };
        let err = fetch_all(10, 4, limits, pager(u32::MAX, None, &calls))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("50 pages"), "{err}");
        assert_eq!(calls.lock().unwrap().len(), 50);
    }

    #[tokio::test]
    async fn a_huge_count_is_refused_before_fetching_more() {
        let calls = Mutex::new(vec![]);
        let err = fetch_all(
            500,
            4,
            Limits::default(),
            pager(500, Some(u64::MAX), &calls),
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("100000"), "{err}");
        assert_eq!(*calls.lock().unwrap(), vec![1]);
    }

    #[tokio::test]
    async fn a_count_short_of_the_list_reads_on_to_a_short_page() {
        // 600 counted, 1,500 there, 500 a page: every certificate is read.
        let calls = Mutex::new(vec![]);
        let all = fetch_all(500, 4, Limits::default(), pager(1_500, Some(600), &calls))
            .await
            .unwrap();
        assert_eq!(all.len(), 1_500);
        assert_eq!(
            *calls.lock().unwrap(),
            vec![1, 2, 3, 4],
            "to the empty page"
        );
        // An endless list under a small count still stops at the bound.
        let calls = Mutex::new(vec![]);
        let limits = Limits {
            max_items: 1_000,
            max_pages: 1_000,
        };
        let err = fetch_all(100, 4, limits, pager(u32::MAX, Some(250), &calls))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Bound(_)), "{err}");
    }

    #[tokio::test]
    async fn a_count_ending_on_a_full_page_is_read_past_only_when_asked() {
        // 1,000 counted, 1,500 there: the count's pages look complete.
        let calls = Mutex::new(vec![]);
        let all = fetch_all(500, 4, Limits::default(), pager(1_500, Some(1_000), &calls))
            .await
            .unwrap();
        assert_eq!(all.len(), 1_000, "the count trusted: exactly its pages");
        let calls = Mutex::new(vec![]);
        let all = fetch_all_to_short(500, 4, Limits::default(), pager(1_500, Some(1_000), &calls))
            .await
            .unwrap();
        assert_eq!(all.len(), 1_500);
        assert_eq!(*calls.lock().unwrap(), vec![1, 2, 3, 4]);
    }

    #[tokio::test]
    async fn items_beyond_the_item_limit_are_an_error() {
        let calls = Mutex::new(vec![]);
        let limits = Limits {
            max_items: 250,
            max_pages: 1000,
        };
        let err = fetch_all(100, 1, limits, pager(10_000, None, &calls))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Bound(_)), "{err}");
        assert_eq!(calls.lock().unwrap().len(), 3);
    }
}
