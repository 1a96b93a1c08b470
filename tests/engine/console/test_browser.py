"""The console in headless Chromium, as a person uses it.

The secret prompt, every page offline, a query, a subscription, the users table browsed
and filtered, a row inserted, a permission edited, an event redelivered.

The tests share one browser page and one engine, and run in file order: the first opens
the console with the secret, the others go on from there.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Locator, Page

from devstack.services.engine import EngineHandle
from tests.engine.console.conftest import Browser, Webhook

ALICE = "4f0c2a8e-6f3b-4d1a-9a6e-2b7c1d9e0a11"
PAGES = {
    "graphiql": ".graphiql-container .graphiql-query-editor .CodeMirror",
    "data/users": "[data-testid=rows] tbody tr",
    "permissions/users": "[data-testid=permission-matrix]",
    "relationships/users": "[data-testid=relationships]",
    "events/user_created": "[data-testid=events]",
    "cron/fetch_crypto_prices": "[data-testid=next-runs] tbody tr",
    "actions": "[data-testid=actions] tbody tr",
    "metadata": "[data-testid=migrations]",
}


def wait_until(check: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def shown(page: Page, selector: str) -> str:
    """The text of ``selector`` once it shows."""
    page.wait_for_selector(selector)
    return page.inner_text(selector)


def go(browser: Browser, engine: EngineHandle, route: str) -> None:
    """Show ``route`` afresh (reloaded if already shown, so no state of a test lingers)."""
    url = f"{engine.base_url}/console/#/{route}"
    if browser.page.url == url:
        browser.page.reload()
    else:
        browser.page.goto(url)
    browser.page.wait_for_selector(PAGES.get(route, "main"))


def test_console_prompts_for_the_secret_and_refuses_a_wrong_one(
    browser: Browser, console_engine: EngineHandle
) -> None:
    """Console prompts for the secret and refuses a wrong one.

    GIVEN a fresh browser WHEN /console opens THEN it asks for the admin secret; a wrong
    one is refused and not kept, the right one opens the console and lives in
    sessionStorage only; the served page never holds the secret.
    """
    page = browser.page
    page.goto(f"{console_engine.base_url}/console")
    page.wait_for_selector("[data-testid=secret-prompt]")
    browser.screenshot("secret-prompt")

    page.fill("#admin-secret", "not-the-secret")
    page.click("text=Open console")
    refused = shown(page, "[data-testid=secret-error]")
    assert "invalid x-hasura-admin-secret" in refused
    assert page.evaluate("sessionStorage.length") == 0
    browser.screenshot("secret-refused")

    assert console_engine.admin_secret is not None
    page.fill("#admin-secret", console_engine.admin_secret)
    page.click("text=Open console")
    page.wait_for_selector("nav a[data-page=data]")
    stored = page.evaluate("Object.values(sessionStorage)")
    assert stored == [console_engine.admin_secret]
    assert page.evaluate("localStorage.length === 0 || !JSON.stringify(localStorage)"
                         f".includes({json.dumps(console_engine.admin_secret)})")
    served = httpx.get(f"{console_engine.base_url}/console/")
    assert console_engine.admin_secret not in served.text


def test_console_every_page_loads_with_no_request_leaving_loopback(
    browser: Browser, console_engine: EngineHandle
) -> None:
    """Console every page loads with no request leaving loopback.

    GIVEN the console open WHEN each page is shown THEN it renders its content, every
    request (and websocket) went to 127.0.0.1, and no error (CSP or other) was logged.
    """
    browser.errors.clear()
    for route in PAGES:
        go(browser, console_engine, route)
        browser.page.wait_for_load_state("networkidle")
        browser.screenshot(route.split("/")[0])

    hosts = {urlsplit(url).hostname for url in browser.urls if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, sorted(set(browser.urls))
    assert any(url.endswith(".js") for url in browser.urls)
    assert browser.errors == []


def test_console_graphiql_runs_a_query(browser: Browser, console_engine: EngineHandle) -> None:
    """Console graphiql runs a query.

    GIVEN GraphiQL WHEN a query is typed and run THEN its result shows the seeded users.
    """
    go(browser, console_engine, "graphiql")
    page = browser.page
    page.evaluate("""document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror
        .setValue('query Users { users(order_by: {email: asc}) { email } }')""")
    page.click(".graphiql-execute-button")
    page.wait_for_selector(".result-window :text('alice@example.com')")
    result = page.inner_text(".result-window")
    assert result.index("alice@example.com") < result.index("bob@example.com")
    browser.screenshot("graphiql-query")


def test_console_graphiql_subscription_follows_inserts_over_the_websocket(
    browser: Browser, console_engine: EngineHandle
) -> None:
    """Console GraphiQL subscription follows inserts over the websocket.

    GIVEN GraphiQL WHEN a subscription is run and a user row is then inserted THEN the
    result first shows the seeded users, then the new one, over a websocket to 127.0.0.1.
    """
    go(browser, console_engine, "graphiql")
    page = browser.page
    page.evaluate("""document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror
        .setValue('subscription Emails { users(order_by: {email: asc}) { email } }')""")
    page.click(".graphiql-execute-button")
    page.wait_for_selector(".result-window :text('carol@example.com')")
    console_engine.run_sql("INSERT INTO users (id, email, name) "
                           "VALUES ('sub-1', 'subscriber@example.com', 'Sam Sub')")
    page.wait_for_selector(".result-window :text('subscriber@example.com')")
    browser.screenshot("graphiql-subscription")
    page.click(".graphiql-execute-button")  # stops the subscription
    console_engine.run_sql("DELETE FROM users WHERE id = 'sub-1'")
    sockets = [url for url in browser.urls if url.startswith("ws")]
    assert sockets
    assert all(urlsplit(url).hostname == "127.0.0.1" for url in sockets)
    assert all(url.endswith("/v1/graphql") for url in sockets)


def _row_count(browser: Browser) -> int:
    return int(browser.page.locator("[data-testid=rows] tbody tr").count())


def test_console_data_browses_and_filters_users(
    browser: Browser, console_engine: EngineHandle
) -> None:
    """Console data browses and filters users.

    GIVEN the users table WHEN it is opened, sorted and filtered THEN all seeded users
    show, the sort reverses them, and the filter leaves only the matching row.
    """
    go(browser, console_engine, "data/users")
    page = browser.page
    wait_until(lambda: _row_count(browser) == 3)
    page.click("th button:text-is('email')")
    page.click("th button:text-is('email ▲')")
    page.wait_for_selector("th button:text-is('email ▼')")
    wait_until(lambda: page.locator("[data-testid=rows] tbody tr").first.inner_text()
               .find("carol@example.com") >= 0)

    page.select_option("select[aria-label='filter column']", "name")
    page.select_option("select[aria-label='filter operator']", "_ilike")
    page.fill("input[aria-label='filter value']", "%bob%")
    page.click("text=Apply filters")
    wait_until(lambda: _row_count(browser) == 1)
    assert "bob@example.com" in page.inner_text("[data-testid=rows] tbody")
    browser.screenshot("data-filtered")


def test_console_data_inserts_a_row_and_shows_a_constraint_error(
    browser: Browser, console_engine: EngineHandle, webhook: Webhook
) -> None:
    """Console data inserts a row and shows a constraint error.

    GIVEN the users table WHEN a row is inserted, then the same email again THEN the
    first is stored (and its event delivered), the second shows the unique violation.
    """
    go(browser, console_engine, "data/users")
    page = browser.page
    for user_id in ("dave-1", "dave-2"):
        page.click("text=Insert row")
        page.fill("[data-testid=row-editor] input[name=id]", user_id)
        page.fill("[data-testid=row-editor] input[name=email]", "dave@example.com")
        page.fill("[data-testid=row-editor] input[name=name]", "Dave Kim")
        page.click("[data-testid=row-editor] button:text-is('Insert')")
        if user_id == "dave-1":
            page.wait_for_selector("text=Row inserted.")
    error = shown(page, "[data-testid=row-editor] [data-testid=error]")
    assert "users_email_key" in error
    browser.screenshot("data-constraint-error")
    rows = console_engine.run_sql("SELECT count(*) FROM users WHERE email = 'dave@example.com'")
    assert rows["result"][1] == ["1"]
    wait_until(lambda: any(b["event"]["data"]["new"]["id"] == "dave-1" for b in webhook.bodies))


def _user_row(page: Page, user_id: str) -> Locator:
    return page.locator("[data-testid=rows] tbody tr", has_text=user_id)


def test_console_data_edits_and_deletes_rows(
    browser: Browser, console_engine: EngineHandle
) -> None:
    """Console data edits and deletes rows.

    GIVEN the users table with the row inserted above WHEN its name is edited, then the
    refused insert is retried with another email and that row deleted THEN the table holds
    the new name and no trace of the deleted row.
    """
    page = browser.page
    page.click("[data-testid=row-editor] button:text-is('Cancel')")
    _user_row(page, "dave-1").locator("button:text-is('edit')").click()
    page.fill("[data-testid=row-editor] input[name=name]", "David Kim")
    page.click("[data-testid=row-editor] button:text-is('Save')")
    page.wait_for_selector("text=Row updated.")

    page.click("text=Insert row")
    page.fill("[data-testid=row-editor] input[name=id]", "dave-2")
    page.fill("[data-testid=row-editor] input[name=email]", "dave2@example.com")
    page.fill("[data-testid=row-editor] input[name=name]", "Dave Two")
    page.click("[data-testid=row-editor] button:text-is('Insert')")
    page.wait_for_selector("text=Row inserted.")
    page.once("dialog", lambda dialog: dialog.accept())
    _user_row(page, "dave-2").locator("button:text-is('delete')").click()
    page.wait_for_selector("text=Row deleted.")

    rows = console_engine.run_sql("SELECT id, name FROM users WHERE id LIKE 'dave%' ORDER BY id")
    assert rows["result"][1:] == [["dave-1", "David Kim"]]


def test_console_event_redelivered_and_its_new_invocation_appears(
    browser: Browser, console_engine: EngineHandle, webhook: Webhook
) -> None:
    """Console event redelivered and its new invocation appears.

    GIVEN the delivered event of the inserted user WHEN it is redelivered from the
    Events page THEN the webhook gets it again and a second attempt shows for it.
    """
    go(browser, console_engine, "events/user_created")
    page = browser.page
    event = next(b["id"] for b in webhook.bodies if b["event"]["data"]["new"]["id"] == "dave-1")
    attempts = page.locator(f"[data-testid=invocations] tr[data-event-id='{event}']")
    wait_until(lambda: attempts.count() == 1)
    page.click(f"[data-testid=events] tr[data-event-id='{event}'] button:text-is('redeliver')")
    page.wait_for_selector("text=queued for delivery again")
    wait_until(lambda: attempts.count() == 2)
    assert [b["id"] for b in webhook.bodies].count(event) == 2
    browser.screenshot("events-redelivered")


def _users_seen_by_alice(engine: EngineHandle) -> int:
    answer = engine.graphql("{ users { id } }", headers={"X-Hasura-Role": "user",
                                                          "X-Hasura-User-Id": ALICE})
    assert "errors" not in answer, answer
    return len(answer["data"]["users"])


def test_console_permission_edit_changes_what_the_role_sees(
    browser: Browser, console_engine: EngineHandle
) -> None:
    """Console permission edit changes what the role sees.

    GIVEN role user seeing only its own users row WHEN its select permission is edited
    in the matrix (every row, aggregations allowed) THEN the role's schema gains the
    aggregate field, and the role now sees every user, in the console and over HTTP.
    """
    assert _users_seen_by_alice(console_engine) == 1
    go(browser, console_engine, "permissions/users")
    page = browser.page
    page.click("button[data-role=user][data-op=select]")
    page.fill("[data-testid=permission-editor] textarea[name=filter]", "{}")
    page.check("text=allow aggregation queries")
    page.click("text=Save permission")
    change = shown(page, "[data-testid=schema-change]")
    assert "+ query_root.users_aggregate" in change
    page.fill("[data-testid=role-preview] input[name=session]",
              json.dumps({"x-hasura-user-id": ALICE}))
    page.click("text=Show rows as user")
    count = shown(page, "[data-testid=preview-count]")
    seen = _users_seen_by_alice(console_engine)
    assert seen == 4  # three seeded users and the one inserted above
    assert count.startswith(f"{seen} row(s)")
    browser.screenshot("permissions-edited")
