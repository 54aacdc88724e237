use std::future::Future;

use futures_util::{StreamExt, TryStreamExt, stream};

use super::{Error, Page, PageRequest};

/// A runaway guard: 10,000 pages of 500 is far beyond any Atlas list.
const MAX_PAGES: u32 = 10_000;

/// Fetches every page of a list. When the first page tells the total, the
/// rest are fetched with at most `concurrency` requests in flight; when it
/// does not (Atlas omits or zeroes `totalCount`, and `next` links are not
/// reliable), pages are walked until one comes back short.
pub async fn fetch_all<T, F, Fut>(
    per_page: u32,
    concurrency: usize,
    fetch: F,
) -> Result<Vec<T>, Error>
where
    F: Fn(PageRequest) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    let is_full = |n: usize| n as u64 >= u64::from(per_page);
    let first = fetch(PageRequest::first(per_page)).await?;
    let total = first.known_total();
    let mut out = first.results;
    if !is_full(out.len()) {
        return Ok(out);
    }
    let mut next = 2;
    if let Some(total) = total {
        let pages = u32::try_from(total.div_ceil(u64::from(per_page)))
            .unwrap_or(MAX_PAGES)
            .min(MAX_PAGES);
        if pages >= 2 {
            let rest: Vec<Page<T>> = stream::iter(2..=pages)
                .map(|n| fetch(PageRequest::new(n, per_page)))
                .buffered(concurrency.max(1))
                .try_collect()
                .await?;
            let last_full = rest.last().is_some_and(|p| is_full(p.results.len()));
            for page in rest {
                out.extend(page.results);
            }
            if !last_full {
                return Ok(out);
            }
            next = pages + 1;
        }
    }
    // The list had no count, or grew past it while we read.
    while next <= MAX_PAGES {
        let page = fetch(PageRequest::new(next, per_page)).await?;
        let full = is_full(page.results.len());
        out.extend(page.results);
        if !full {
            break;
        }
        next += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    fn pager(
        items: u32,
        count: bool,
        calls: &Mutex<Vec<u32>>,
    ) -> impl Fn(PageRequest) -> std::future::Ready<Result<Page<u32>, Error>> + '_ {
        move |p: PageRequest| {
            calls.lock().unwrap().push(p.page_num);
            let start = (p.page_num - 1) * p.items_per_page;
            let results: Vec<u32> = (start..items.min(start + p.items_per_page)).collect();
            std::future::ready(Ok(Page {
                results,
                total_count: Some(if count { u64::from(items) } else { 0 }),
                links: vec![],
            }))
        }
    }

    #[tokio::test]
    async fn counted_lists_fetch_each_page_once() {
        let calls = Mutex::new(vec![]);
        let all = fetch_all(500, 4, pager(1201, true, &calls)).await.unwrap();
        assert_eq!(all, (0..1201).collect::<Vec<_>>());
        assert_eq!(*calls.lock().unwrap(), vec![1, 2, 3]);
    }

    #[tokio::test]
    async fn uncounted_lists_walk_until_short_page() {
        let calls = Mutex::new(vec![]);
        let all = fetch_all(100, 4, pager(300, false, &calls)).await.unwrap();
        assert_eq!(all.len(), 300);
        // 300 is a multiple of 100: the empty 4th page proves the end.
        assert_eq!(*calls.lock().unwrap(), vec![1, 2, 3, 4]);
    }

    #[tokio::test]
    async fn single_short_page() {
        let calls = Mutex::new(vec![]);
        let all = fetch_all(100, 4, pager(3, true, &calls)).await.unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(*calls.lock().unwrap(), vec![1]);
    }
}
