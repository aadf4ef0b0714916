/* Comments: mentioning someone as you type, and replying to a comment.
 *
 * Mentions follow the combobox pattern for a text box with a list of suggestions: typing @ and
 * the start of a name lists the members who may read the item (the page gives them, as JSON,
 * in the element the text box's data-mentions names). Down and Up move through the list
 * (aria-activedescendant points at the one chosen, so focus stays in the text box), Enter or
 * Tab puts "@Full Name" into the text, Escape closes the list; a pointer can choose too. A
 * polite status says how many people match. Without scripts, typing "@Full Name" mentions
 * them just the same: the server reads the names, not this list.
 *
 * Reply links point at the comments page with ?reply=; here they set the form's hidden
 * "parent" field and move to the text box instead.
 */
(function () {
  "use strict";

  var MOST = 8; // suggestions shown at once
  var LONGEST_QUERY = 40;

  function people(box) {
    var data = document.getElementById(box.getAttribute("data-mentions"));
    if (!data) return [];
    if (!data._people) {
      try {
        data._people = JSON.parse(data.textContent);
      } catch (e) {
        data._people = [];
      }
    }
    return data._people;
  }

  function listOf(box) {
    return document.getElementById(box.getAttribute("aria-controls"));
  }

  function statusOf(box) {
    return box.parentElement.querySelector("[data-mention-status]");
  }

  // The "@name" being typed just before the caret, if any: where it starts, and the name.
  function typing(box) {
    var end = box.selectionStart;
    if (end !== box.selectionEnd) return null;
    var before = box.value.slice(0, end);
    var at = before.lastIndexOf("@");
    if (at === -1 || end - at - 1 > LONGEST_QUERY) return null;
    if (at > 0 && /[\w@.]/.test(before.charAt(at - 1))) return null; // an email address
    var query = before.slice(at + 1);
    if (/[\n\r]/.test(query) || /^\s/.test(query)) return null;
    return { start: at, end: end, query: query.toLocaleLowerCase() };
  }

  function matching(box, query) {
    return people(box).filter(function (person) {
      var name = person.name.toLocaleLowerCase();
      return name.indexOf(query) === 0 || name.split(/\s+/).some(function (word) {
        return word.indexOf(query) === 0;
      }) || (query.indexOf(" ") !== -1 && name.indexOf(query) !== -1);
    }).slice(0, MOST);
  }

  function close(box) {
    var list = listOf(box);
    if (!list) return;
    list.hidden = true;
    list.innerHTML = "";
    box.removeAttribute("aria-activedescendant");
    box._mention = null;
  }

  function activate(box, index) {
    var list = listOf(box);
    var options = list.querySelectorAll("[role=option]");
    if (!options.length) return;
    index = (index + options.length) % options.length;
    options.forEach(function (option, i) {
      var on = i === index;
      option.setAttribute("aria-selected", on ? "true" : "false");
      option.classList.toggle("active", on);
    });
    box.setAttribute("aria-activedescendant", options[index].id);
    box._mention.active = index;
  }

  function open(box, found, where) {
    var list = listOf(box);
    list.innerHTML = "";
    found.forEach(function (person, i) {
      var option = document.createElement("li");
      option.id = list.id + "-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.className = "list-group-item list-group-item-action";
      option.textContent = person.name;
      if (person.organisation) {
        var org = document.createElement("span");
        org.className = "small ms-2 mention-organisation";
        org.textContent = person.organisation;
        option.appendChild(org);
      }
      option.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep focus in the text box
        choose(box, i);
      });
      list.appendChild(option);
    });
    list.hidden = false;
    box._mention = { found: found, where: where, active: -1 };
    activate(box, 0);
  }

  function say(box, text) {
    var status = statusOf(box);
    if (status && status.textContent !== text) status.textContent = text;
  }

  function choose(box, index) {
    var state = box._mention;
    if (!state || !state.found[index]) return;
    var name = state.found[index].name;
    var text = box.value;
    var inserted = "@" + name + " ";
    box.value = text.slice(0, state.where.start) + inserted + text.slice(state.where.end);
    var caret = state.where.start + inserted.length;
    box.setSelectionRange(caret, caret);
    close(box);
    say(box, name + " will be mentioned.");
    box.dispatchEvent(new Event("input", { bubbles: true })); // the draft keeper
  }

  function update(box) {
    var where = typing(box);
    if (!where) {
      if (box._mention) say(box, "");
      close(box);
      return;
    }
    var found = matching(box, where.query);
    if (!found.length) {
      close(box);
      say(box, "No member of the partnership matches.");
      return;
    }
    open(box, found, where);
    say(box, found.length + (found.length === 1 ? " person matches" : " people match") +
      ": use the up and down arrow keys, and Enter to choose.");
  }

  document.addEventListener("input", function (event) {
    var box = event.target;
    if (box.matches && box.matches("textarea[data-mentions]") && event.isTrusted) update(box);
  });

  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (!(box.matches && box.matches("textarea[data-mentions]")) || !box._mention) return;
    var state = box._mention;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      activate(box, state.active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" || event.key === "Tab") {
      if (state.active >= 0) {
        event.preventDefault();
        choose(box, state.active);
      }
    } else if (event.key === "Escape") {
      event.preventDefault();
      close(box);
      say(box, "");
    }
  });

  document.addEventListener("focusout", function (event) {
    var box = event.target;
    if (box.matches && box.matches("textarea[data-mentions]")) close(box);
  });

  // Replies -----------------------------------------------------------------------------

  function formOf(link) {
    var section = link.closest(".discussion");
    return section ? section.querySelector("form.comment-form") : null;
  }

  function setReply(form, id, name) {
    var parent = form.querySelector("input[name=parent]");
    var note = form.querySelector("[data-reply-note]");
    if (!parent || !note) return false;
    parent.value = id || "";
    note.hidden = !id;
    note.querySelector("[data-reply-text]").textContent = id ? "Replying to " + name + "." : "";
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-reply-to]");
    if (link) {
      var form = formOf(link);
      if (form && setReply(form, link.getAttribute("data-reply-to"),
                           link.getAttribute("data-reply-name"))) {
        event.preventDefault();
        form.querySelector("textarea").focus();
      }
      return;
    }
    var cancel = event.target.closest && event.target.closest("[data-reply-cancel]");
    if (cancel) {
      var own = cancel.closest("form");
      setReply(own, "", "");
      own.querySelector("textarea").focus();
    }
  });
})();
