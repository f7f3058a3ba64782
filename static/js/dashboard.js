// The dashboard's behaviour: filters that apply on change, and charts drawn from their JSON endpoints.
// Loaded as a file (the Content-Security-Policy allows no inline script); every page works without it,
// just with an "Apply" button and no charts.
(function () {
  "use strict";

  // --- Filters: a GET form, submitted on every change so the URL always names the view. ---

  function fieldValues(field) {
    if (!field.name || field.disabled || field.type === "submit") return [];
    if ((field.type === "checkbox" || field.type === "radio") && !field.checked) return [];
    if (field.type === "select-multiple") {
      return Array.from(field.selectedOptions, function (option) { return option.value; });
    }
    return [field.value];
  }

  function filterUrl(form) {
    const params = new URLSearchParams();
    for (const field of form.elements) {
      for (const value of fieldValues(field)) {
        // Empty fields and defaults are left out, so shared links stay short and readable.
        if (value !== "" && value !== field.dataset.default) params.append(field.name, value);
      }
    }
    const query = params.toString();
    return (form.getAttribute("action") || window.location.pathname) + (query ? "?" + query : "");
  }

  function applyFilters(form) {
    window.location.assign(filterUrl(form));
  }

  // A date typed digit by digit is a valid date after each digit of the year ("0002-06-01"): wait for a
  // plausible year and a pause in typing before applying it.
  const DATE_PAUSE_MS = 800;
  const EARLIEST_YEAR = 1900;

  function isPlausibleDate(value) {
    return value === "" || Number(value.slice(0, 4)) >= EARLIEST_YEAR;
  }

  function watchFilterForm(form) {
    let pendingDate = null;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      applyFilters(form);
    });
    form.addEventListener("change", function (event) {
      const input = event.target;
      // The search box applies on Enter, not on every keystroke's change.
      if (input.type === "search") return;
      if (input.type !== "date") {
        applyFilters(form);
        return;
      }
      window.clearTimeout(pendingDate);
      if (isPlausibleDate(input.value)) {
        pendingDate = window.setTimeout(function () { applyFilters(form); }, DATE_PAUSE_MS);
      }
    });
  }

  // --- Charts ---

  function isSameSiteLink(url) {
    // Drill-down links are built by the server as site paths; anything else is not followed.
    return typeof url === "string" && url.startsWith("/") && !url.startsWith("//");
  }

  function drillablePoints(data) {
    let count = 0;
    for (const trace of data) {
      const links = [].concat(...(trace.customdata || []).map(function (item) {
        return Array.isArray(item) ? item : [item];
      }));
      count += links.filter(isSameSiteLink).length;
    }
    return count;
  }

  function element(tag, text) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function renderTable(holder, table) {
    holder.replaceChildren();
    if (!table || !table.rows || table.rows.length === 0) {
      holder.append(element("p", "No data for these filters."));
      return;
    }
    const result = element("table");
    result.className = "chart-table";
    const head = result.createTHead().insertRow();
    for (const column of table.columns) head.append(element("th", column));
    const body = result.createTBody();
    for (const row of table.rows) {
      const line = body.insertRow();
      for (const value of row) line.append(element("td", value));
    }
    holder.append(result);
  }

  function renderNotes(list, notes) {
    list.replaceChildren(...(notes || []).map(function (note) { return element("li", note); }));
  }

  function drawFigure(plot, figure) {
    const config = Object.assign({}, figure.config || {}, { responsive: true, displaylogo: false });
    return window.Plotly.newPlot(plot, figure.data, figure.layout, config).then(function () {
      plot.on("plotly_click", function (event) {
        const point = event && event.points && event.points[0];
        if (point && isSameSiteLink(point.customdata)) window.location.assign(point.customdata);
      });
    });
  }

  function showChart(section, payload) {
    section.setAttribute("aria-label", payload.title || section.getAttribute("aria-label"));
    return drawFigure(section.querySelector("[data-plot]"), payload.figure).then(function () {
      renderTable(section.querySelector("[data-table]"), payload.table);
      renderNotes(section.querySelector("[data-notes]"), payload.notes);
      section.querySelector("[data-status]").hidden = true;
      section.dataset.points = String(drillablePoints(payload.figure.data || []));
      section.dataset.rendered = "1";
    });
  }

  function loadChart(section) {
    const status = section.querySelector("[data-status]");
    fetch(section.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (payload) { return showChart(section, payload); })
      .catch(function () {
        status.textContent = "This chart could not be loaded. Reload the page to try again.";
        section.dataset.rendered = "error";
      });
  }

  document.querySelectorAll("form[data-autosubmit]").forEach(watchFilterForm);
  if (window.Plotly) document.querySelectorAll("[data-chart][data-src]").forEach(loadChart);
})();
