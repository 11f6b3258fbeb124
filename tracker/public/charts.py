"""Server-rendered SVG charts: readable without JavaScript, with a text alternative."""

from dataclasses import dataclass

BAR_HEIGHT = 26
BAR_GAP = 12
LABEL_WIDTH = 190
BAR_AREA = 380
CHART_WIDTH = LABEL_WIDTH + BAR_AREA + 60


@dataclass(frozen=True)
class Bar:
    label: str
    code: str
    count: int
    y: int
    width: int

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT // 2 + 5

    @property
    def value_x(self) -> int:
        return LABEL_WIDTH + self.width + 8


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: int
    width: int = CHART_WIDTH
    label_width: int = LABEL_WIDTH

    @property
    def label_x(self) -> int:
        return LABEL_WIDTH - 10

    @property
    def summary(self) -> str:
        return "; ".join(f"{bar.label}: {bar.count}" for bar in self.bars)


def bar_chart(rows: list[tuple[str, str, int]]) -> BarChart:
    """Horizontal bars for (label, code, count) rows, longest first as given."""
    top = max((count for _, _, count in rows), default=0) or 1
    bars = [
        Bar(
            label=label,
            code=code,
            count=count,
            y=index * (BAR_HEIGHT + BAR_GAP),
            width=max(2, round(BAR_AREA * count / top)),
        )
        for index, (label, code, count) in enumerate(rows)
    ]
    return BarChart(bars=bars, height=max(1, len(bars) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP))
