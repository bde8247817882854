package fleettable

import (
	"github.com/straylight-fleet/straylight/ui/table"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// Columns are the table's columns, in order.
func Columns() []table.Column[Row] {
	return []table.Column[Row]{
		{Title: "HOST", Min: 10, Max: 16, Priority: 100, Grow: 55, Cell: table.Fixed(HostCell)},
		{Title: "STATE", Min: 7, Max: 11, Priority: 95, Grow: 54, Cell: table.Fixed(StateCell)},
		{Title: "MODEL (LIVE)", Min: 29, Max: 38, Priority: 90, Flex: true, Cell: FittedModelCell},
		{Title: "GPU", Min: 5, Max: 11, Priority: 70, Grow: 99, Cell: GPUTrendCell},
		{Title: "VRAM", Min: 9, Max: 11, Priority: 40, Right: true, Cell: table.Fixed(VRAMCell)},
		{Title: "RUN/W", Min: 5, Max: 6, Priority: 45, Right: true, Cell: table.Fixed(RequestsCell)},
		{Title: "TOK/S", Min: 5, Max: 16, Priority: 60, Grow: 98, Right: true, Cell: TokensTrendCell},
		{Title: "IDLE", Min: 10, Max: 11, Priority: 80, Cell: table.Fixed(IdleCell)},
		{Title: "DRIFT", Min: 10, Max: 11, Priority: 85, Cell: table.Fixed(DriftCell)},
	}
}

// RenderRow draws one host's row (pure: used by the view and its tests).
func RenderRow(r Row, cols []table.Placed[Row], selected bool, th *theme.Theme) string {
	return table.Row(r, MarkCell(r), cols, selected, th)
}
