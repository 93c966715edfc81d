// Checks the jobset editor (EditJobsetPage.cs) as one types. The rules and their messages come from the server
// (the form's data-rules, JobsetFormRules.cs), which checks a posted form with the same table, so both say the
// same thing. A field names its rule in data-rule; an input's value in data-value-of names the select holding
// its type, whose rule is "value-" + type. Fields of the other jobset type are hidden and not checked, and the
// spare empty input row is ignored. "Add input" copies the last row with the next number.
(function () {
  "use strict";
  var form = document.querySelector("form[data-rules]");
  if (!form) {
    return;
  }
  var rules = JSON.parse(form.dataset.rules);
  var typeSelect = form.elements.namedItem("type");

  function ruleOf(field) {
    if (field.dataset.rule) {
      return rules[field.dataset.rule];
    }
    if (field.dataset.valueOf) {
      var type = form.elements.namedItem(field.dataset.valueOf);
      return type ? rules["value-" + type.value] : undefined;
    }
    return undefined;
  }

  function inActiveSection(field) {
    var section = field.closest("[data-for-type]");
    return !section || !typeSelect || section.dataset.forType === typeSelect.value;
  }

  function inSpareRow(field) {
    var row = field.closest("[data-input-row]");
    if (!row) {
      return false;
    }
    var texts = row.querySelectorAll("input[data-rule], input[data-value-of]");
    for (var i = 0; i < texts.length; i++) {
      if (texts[i].value.trim() !== "") {
        return false;
      }
    }
    return true;
  }

  function problem(field) {
    var rule = ruleOf(field);
    if (!rule || !inActiveSection(field) || inSpareRow(field)) {
      return "";
    }
    if (field.value.trim() === "") {
      return rule.required || "";
    }
    if (rule.pattern && !new RegExp(rule.pattern).test(field.value)) {
      return rule.message;
    }
    return "";
  }

  function check(field) {
    var message = problem(field);
    var slot = document.getElementById("error-" + field.name);
    if (slot) {
      slot.textContent = message;
    }
    field.setCustomValidity(message);
    if (message) {
      field.setAttribute("aria-invalid", "true");
    } else {
      field.removeAttribute("aria-invalid");
    }
  }

  function checked() {
    return form.querySelectorAll("input[data-rule], input[data-value-of]");
  }

  function showType() {
    var sections = form.querySelectorAll("[data-for-type]");
    for (var i = 0; i < sections.length; i++) {
      sections[i].hidden = typeSelect && sections[i].dataset.forType !== typeSelect.value;
    }
  }

  // Only fields one has touched show a message while typing; a submit checks them all.
  form.addEventListener("input", function (event) {
    var field = event.target;
    if (field.matches("input[data-rule], input[data-value-of]")) {
      check(field);
      var row = field.closest("[data-input-row]");
      if (row) {
        row.querySelectorAll("input[data-rule], input[data-value-of]").forEach(check);
      }
    }
  });
  form.addEventListener("change", function (event) {
    var field = event.target;
    if (field === typeSelect) {
      showType();
    }
    if (field.tagName === "SELECT") {
      var row = field.closest("[data-input-row]");
      if (row) {
        row.querySelectorAll("input[data-value-of]").forEach(check);
      }
    }
  });
  form.addEventListener("submit", function (event) {
    var fields = checked();
    var first = null;
    for (var i = 0; i < fields.length; i++) {
      check(fields[i]);
      if (!first && fields[i].validationMessage) {
        first = fields[i];
      }
    }
    if (first) {
      event.preventDefault();
      first.focus();
    }
  });

  var inputs = document.getElementById("inputs");
  if (inputs) {
    var add = document.createElement("button");
    add.type = "button";
    add.textContent = "Add input";
    add.className = "secondary";
    add.addEventListener("click", function () {
      var rows = inputs.querySelectorAll("[data-input-row]");
      var last = rows[rows.length - 1];
      var next = rows.length;
      var copy = last.cloneNode(true);
      copy.querySelectorAll("[name], [id], [data-value-of], [aria-describedby]").forEach(function (element) {
        ["name", "id", "data-value-of", "aria-describedby"].forEach(function (attribute) {
          var value = element.getAttribute(attribute);
          if (value) {
            element.setAttribute(attribute, value.replace(/input-\d+-/, "input-" + next + "-"));
          }
        });
      });
      copy.querySelectorAll("input[type=text], input:not([type])").forEach(function (input) {
        input.value = "";
        input.removeAttribute("aria-invalid");
        input.setCustomValidity("");
      });
      copy.querySelectorAll("input[type=checkbox]").forEach(function (box) {
        box.checked = false;
      });
      copy.querySelectorAll(".field-error").forEach(function (slot) {
        slot.textContent = "";
      });
      last.after(copy);
      copy.querySelector("input").focus();
    });
    inputs.appendChild(add);
  }
  showType();
})();
