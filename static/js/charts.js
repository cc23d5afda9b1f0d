// Draw every chart whose figure JSON the page embeds; the tables beside them hold the data.
document.querySelectorAll("[data-chart]").forEach(function (node) {
  var source = document.getElementById(node.dataset.chart);
  if (!source || typeof Plotly === "undefined") return;
  var figure = JSON.parse(JSON.parse(source.textContent));
  Plotly.newPlot(node, figure.data, figure.layout, {
    responsive: true,
    displaylogo: false,
    locale: document.documentElement.lang,
  });
});
