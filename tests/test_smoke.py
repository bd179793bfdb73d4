"""The app starts and its public pages answer."""


def test_home_page_in_chinese_by_default(client):
    """The home page speaks Simplified Chinese unless English is chosen."""
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="zh-CN"' in response.get_data(as_text=True)


def test_healthz(client):
    """/healthz reports the database."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "db": "ok"}
