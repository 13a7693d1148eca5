# Independent check of tfpkit's bw = "auto" (ivreg2's Newey-West 1994 bandwidth).
# Run from this folder: Rscript nw94_bw.R > nw94_bw_expected.csv
# The selection is sandwich::bwNeweyWest's own code (prewhite = FALSE, the
# moment series u * Z %*% weights with weight 0 on the constant), with one line
# changed: its pre-bandwidth floor(4 (n/100)^rate) becomes ivreg2's
# trunc(20 (n/100)^rate) (ivreg2's Mata s_abw: mstar). ivreg2's bandwidth is then
# min(trunc(m), mstar) + 1 (Bartlett, Parzen) or min(m, mstar) + 1 (QS).
# The residuals u are 2SLS's (OLS without instruments), computed here by hand.
library(sandwich)
d <- read.csv("../stata-ivreg2/ts_hac_data.csv")
d <- d[order(d$t), ]
stopifnot(all(diff(d$t) == 1))   # no gaps: sandwich pairs consecutive rows

bw_ivreg2 <- local({
  f <- bwNeweyWest
  b <- body(f)
  i <- which(vapply(as.list(b), function(e) identical(deparse(e),
         "m <- floor(ifelse(prewhite > 0, 3, 4) * (n/100)^mrate)"), TRUE))
  stopifnot(length(i) == 1)
  b[[i]] <- quote(m <- trunc(20 * (n/100)^mrate))
  body(f) <- b
  f
})

tsls_resid <- function(y, X, Z) {
  Xh <- Z %*% solve(crossprod(Z), crossprod(Z, X))
  b <- solve(crossprod(Xh, X), crossprod(Xh, y))
  as.vector(y - X %*% b)
}

one <- rep(1, nrow(d))
cases <- list(
  iv_overid = list(X = cbind(d$x, d$w, one), Z = cbind(d$z1, d$z2, d$w, one)),
  iv_justid = list(X = cbind(d$x, d$w, one), Z = cbind(d$z1, d$w, one)),
  ols       = list(X = cbind(d$x, d$w, one), Z = cbind(d$x, d$w, one)))
rates <- c(Bartlett = 2/9, Parzen = 4/25, "Quadratic Spectral" = 2/25)
cat("case,kernel,T,mstar,nw_m,bw\n")
for (cn in names(cases)) {
  cs <- cases[[cn]]
  u <- tsls_resid(d$y, cs$X, cs$Z)
  U <- u * cs$Z
  wts <- c(rep(1, ncol(cs$Z) - 1), 0)   # the constant (last column) left out
  for (k in names(rates)) {
    n <- nrow(U)
    mstar <- trunc(20 * (n/100)^rates[[k]])
    m <- bw_ivreg2(U, kernel = k, weights = wts, prewhite = FALSE)
    lag <- if (k == "Quadratic Spectral") min(m, mstar) else min(trunc(m), mstar)
    kn <- c(Bartlett = "bartlett", Parzen = "parzen", "Quadratic Spectral" = "qs")[[k]]
    cat(sprintf("%s,%s,%d,%d,%.17g,%.17g\n", cn, kn, n, mstar, m, lag + 1))
  }
}
