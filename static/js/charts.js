// Draw every chart whose figure JSON the page embeds; the tables beside them hold the data.
// The picture is for the eye only: its container is aria-hidden in the template, and the
// figure's caption, text summary and data table are what assistive technology reads. No
// mode bar: its ten buttons were Tab stops (four of them mouse-only) and the data it
// could download as a picture is in the table and the page's CSV/Excel/JSON downloads.
function hidePlotlyTester() {
  // plotly measures text in an off-screen <svg id="js-plotly-tester"> on <body>.
  var tester = document.getElementById("js-plotly-tester");
  if (tester) tester.setAttribute("aria-hidden", "true");
}

document.querySelectorAll("[data-chart]").forEach(function (node) {
  var source = document.getElementById(node.dataset.chart);
  if (!source || typeof Plotly === "undefined") return;
  var figure = JSON.parse(JSON.parse(source.textContent));
  Plotly.newPlot(node, figure.data, figure.layout, {
    responsive: true,
    displaylogo: false,
    displayModeBar: false,
    locale: document.documentElement.lang,
  }).then(hidePlotlyTester);
});
