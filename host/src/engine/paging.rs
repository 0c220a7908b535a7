//! Loonflow's pagination: a page past the end (or below 1) shows the last page, while the
//! response still echoes the page that was asked for.

use crate::store::Window;

pub const DEFAULT_PER_PAGE: i64 = 10;
/// Grebe's cap on one page, so no single request can ask for an unbounded result.
pub const MAX_PER_PAGE: i64 = 1000;

#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
}

impl Default for Paging {
    fn default() -> Paging {
        Paging {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

impl Paging {
    /// The rows to read for a result of `total` rows. `per_page` must already be in range.
    pub fn window(&self, total: i64) -> Window {
        let per_page = self.per_page.clamp(1, MAX_PER_PAGE);
        let last_page = ((total + per_page - 1) / per_page).max(1);
        let page = if (1..=last_page).contains(&self.page) {
            self.page
        } else {
            last_page
        };
        Window {
            offset: (page - 1) * per_page,
            limit: per_page,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Paging;

    #[test]
    fn pages_past_either_end_show_the_last_page() {
        let paging = |page| Paging { page, per_page: 10 };
        assert_eq!(paging(1).window(25).offset, 0);
        assert_eq!(paging(3).window(25).offset, 20);
        assert_eq!(paging(4).window(25).offset, 20);
        assert_eq!(paging(0).window(25).offset, 20);
        assert_eq!(paging(-5).window(25).offset, 20);
        assert_eq!(paging(7).window(0).offset, 0);
        assert_eq!(paging(2).window(20).offset, 10);
    }
}
