package poem

// PanelSets are the 20 keyword sets of the blind panel (docs/poem.md): the
// project's own seed keywords, classical themes across the seasons, times of
// day and occasions, and modern words that must still give classical poems.
// They are fixed so that panels before and after a change compare.
var PanelSets = [][]string{
	{"秋风", "落叶", "思念"},
	{"灯", "跳舞", "翅膀"},
	{"高铁", "故乡"},
	{"手机", "明月"},
	{"咖啡", "雨"},
	{"春", "江", "花"},
	{"边塞", "雁"},
	{"梅", "雪"},
	{"送别", "柳"},
	{"登高", "云"},
	{"渔舟", "晚"},
	{"竹", "风"},
	{"荷", "夏"},
	{"山", "寺", "钟"},
	{"月夜", "思乡"},
	{"田园", "归"},
	{"城市", "黄昏"},
	{"毕业", "离别"},
	{"长城", "烽火"},
	{"大海", "日出"},
}
