package hanzi

// Reading in context: the polyphones that no dictionary word decides, read
// by their neighbours and by rules of grammar (alone), and the conventions
// of reciting classical verse (readAsVerse). Every rule is written from the
// dictionaries' and reciters' usage and measured on test sets written blind
// (verse_test.go); see docs/sound.md for which rule came when.

import "strings"

// numeral reports whether c counts: a digit, or a word for "some" or
// "each" (几, 数, 每).
func numeral(c rune) bool {
	return strings.ContainsRune(numerals, c) || strings.ContainsRune("几数每", c)
}

// alone reads the polyphones that no word decided by their neighbours.
func alone(s []Syllable, verse bool) {
	for i := range s {
		x := &s[i]
		if x.word || x.Pinyin == "" {
			continue
		}
		prev, next := rune(0), rune(0)
		if i > 0 {
			prev = s[i-1].form()
		}
		if i+1 < len(s) {
			next = s[i+1].form()
		}
		c := x.form()
		switch c {
		case '只': // 一只 zhi1, the measure word; otherwise "only", zhi3
			*x = reread(*x, "zhi3")
			if numeral(prev) || strings.ContainsRune("这那哪", prev) {
				*x = reread(*x, "zhi1")
			}
		case '卷': // 万卷 juan4, volumes; otherwise "to roll", juan3
			*x = reread(*x, "juan3")
			if numeral(prev) {
				*x = reread(*x, "juan4")
			}
		case '应': // on its own, "should", ying1 (应怜, 不应有恨); ending a clause, "to answer", ying4 (呼之不应)
			*x = reread(*x, "ying1")
			if next == 0 || !IsHan(next) {
				*x = reread(*x, "ying4")
			}
		case '骑': // 一骑, 千骑, 单骑: horsemen, ji4
			if numeral(prev) || prev == '单' {
				*x = reread(*x, "ji4")
			}
		case '得':
			// In prose, after a verb and before its complement (说得很好,
			// 累得快散架了) 得 is the particle de5; after a pronoun,
			// before anything but 了 or 到, "must" (你得早点来 dei3). A
			// verb "to get" (得奖, 不得) stays de2, and verse keeps it.
			switch {
			case verse || prev == 0 || next == 0 || !IsHan(prev) || !IsHan(next):
			case strings.ContainsRune("你我他她它咱您们", prev):
				if !strings.ContainsRune("了到过奖", next) {
					*x = reread(*x, "dei3")
				}
			case !strings.ContainsRune("不未可难获取求所应只必须自", prev):
				*x = reread(*x, "de5")
			}
		case '当': // 把他当朋友: "to take for", dang4
			if inClauseBefore(s, i, '把') {
				*x = reread(*x, "dang4")
			}
		case '行': // 一行字, 两行泪: a row, hang2
			if numeral(prev) {
				*x = reread(*x, "hang2")
			}
		case '宿': // 住了一宿: a night, xiu3
			if numeral(prev) {
				*x = reread(*x, "xiu3")
			}
		case '种': // 这种, 一种: a kind, zhong3; otherwise the verb "to plant", zhong4
			*x = reread(*x, "zhong4")
			if numeral(prev) || strings.ContainsRune("这那哪各某何此", prev) {
				*x = reread(*x, "zhong3")
			}
		case '扇': // 扇了一巴掌, 扇着风: the verb, shan1
			if strings.ContainsRune("了着过", next) {
				*x = reread(*x, "shan1")
			}
		case '载': // 载着, 载不动, 满载: to carry, zai4; 三载: years, zai3
			if strings.ContainsRune("着不满重人客货得了我你他她它", next) {
				*x = reread(*x, "zai4")
			}
		case '差': // 很差: the adjective, cha4
			if strings.ContainsRune(degree, prev) {
				*x = reread(*x, "cha4")
			}
		case '冲': // 太冲, 冲着: blunt, towards, chong4
			if strings.ContainsRune(degree, prev) || next == '着' {
				*x = reread(*x, "chong4")
			}
		case '调': // 古调, 新调, 低调: a tune, diao4
			if strings.ContainsRune("古新旧清小低高曲声音格老水", prev) {
				*x = reread(*x, "diao4")
			}
		case '长': // 长得高, 长了一岁, 长出新芽: to grow, zhang3
			if !verse && strings.ContainsRune("得了出满大", next) {
				*x = reread(*x, "zhang3")
			}
		case '尽': // 尽着他先吃: to give first place to, jin3
			if next == '着' {
				*x = reread(*x, "jin3")
			}
		case '饮': // 饮马, 饮牲口: to water animals, yin4
			if strings.ContainsRune("马牛羊驴骡牲", next) {
				*x = reread(*x, "yin4")
			}
		case '还': // 还书, 还钱: to give back, huan2
			if strings.ContainsRune("书钱债账款", next) {
				*x = reread(*x, "huan2")
			}
		case '着': // 这一着: a move in chess, zhao1 (but 数着钱 counts)
			if strings.ContainsRune(numerals, prev) {
				*x = reread(*x, "zhao1")
			}
		case '背': // 背着, 背起: to carry on the back, bei1
			if strings.ContainsRune("着起上走在", next) {
				*x = reread(*x, "bei1")
			}
		case '干': // 干什么, 干活: to do, gan4
			if strings.ContainsRune("什嘛吗活", next) {
				*x = reread(*x, "gan4")
			}
		case '血': // in prose, on its own, the spoken xie3 (流了一点血)
			if !verse {
				*x = reread(*x, "xie3")
			}
		case '空': // 空着, 空出: to leave empty, kong4
			if strings.ContainsRune("着出下", next) {
				*x = reread(*x, "kong4")
			}
		case '缝': // 缝扣子, 缝衣: to sew, feng2
			if strings.ContainsRune("扣衣补上好了着起被针", next) {
				*x = reread(*x, "feng2")
			}
		case '奔': // 奔六十: getting on for, ben4
			if numeral(next) {
				*x = reread(*x, "ben4")
			}
		case '挨': // 挨打, 挨了一顿: to suffer, ai2
			if strings.ContainsRune("了打骂批饿冻揍过着", next) {
				*x = reread(*x, "ai2")
			}
		case '系': // 系好, 系鞋带, 系马: to tie, ji4
			if strings.ContainsRune("好上紧鞋领马舟船缆短扣", next) {
				*x = reread(*x, "ji4")
			}
		case '盛': // 盛饭, 盛一碗: to ladle, cheng2
			if numeral(next) || strings.ContainsRune("饭汤水粥菜满", next) {
				*x = reread(*x, "cheng2")
			}
		case '重': // 两重, 万重: layers, chong2; 重来, 重游: again, chong2
			if numeral(prev) || strings.ContainsRune("来过游见逢到回上开返归温", next) {
				*x = reread(*x, "chong2")
			}
		case '降': // 投降, 未肯降: to surrender, xiang2
			if strings.ContainsRune("投招请受肯", prev) {
				*x = reread(*x, "xiang2")
			}
		case '地':
			// After a doubled word (慢慢地) or, in prose, after any
			// other that is not a measure word, a numeral, 的 or a
			// demonstrative (认真地说, but 这块地, 我的地), 地 marks the
			// adverb: the ground stands in words of its own (土地, 各地,
			// 目的地), which the dictionaries hold since 地 has two
			// readings, and which are read whole before this.
			doubled := i >= 2 && s[i-1].Char == s[i-2].Char
			adverb := !verse && IsHan(prev) && !numeral(prev) && !strings.ContainsRune("块片亩些的种处这那此该各本当外内满遍", prev) &&
				next != '上' && next != '下' && next != '里'
			if doubled || adverb {
				*x = reread(*x, "de5")
			}
		}
	}
}

// degree are adverbs of degree, after which a polyphone is the adjective.
const degree = "很太真挺好更最较蛮颇极"

// inClauseBefore reports whether r stands before s[i] in the same clause.
func inClauseBefore(s []Syllable, i int, r rune) bool {
	for k := i - 1; k >= 0; k-- {
		if s[k].Pinyin == "" && !IsHan(s[k].Char) {
			return false
		}
		if s[k].form() == r {
			return true
		}
	}
	return false
}

// literary are the readings verse gives a character on its own: the
// literary of a 文白 pair, and the classical sense.
var literary = map[rune]string{
	'剥': "bo1", '薄': "bo2", '削': "xue1", '血': "xue4", '熟': "shu2", '色': "se4",
	'落': "luo4", '露': "lu4", '嚼': "jue2", '壳': "qiao4", '择': "ze2", '谁': "shui2",
	'没': "mo4", '著': "zhuo2", '塞': "sai4", '阙': "que4",
}

// particles keep their neutral tone in verse.
const particles = "的地得么呢吗吧啊们哩呀罢"

// thatBefore are the characters after which verse's 那 is "that", na4.
const thatBefore = "边畔厢里个时人年些般回日夜处天番样"

func readAsVerse(s []Syllable) {
	for i := range s {
		x := &s[i]
		if x.Pinyin == "" {
			continue
		}
		c := x.form()
		end := i+1 == len(s) || s[i+1].Pinyin == "" && IsSentencePunct(s[i+1].Char)
		switch {
		case c == '还' && end:
			*x = reread(*x, "huan2")
		case c == '朝' && !courtWord(s, i):
			*x = reread(*x, "zhao1")
		case c == '了' && !x.word:
			// The verb "to end" at the end of a line (何时了) or after a
			// negation (未了); after a verb within a line, in 词 and 曲,
			// the particle (做了土).
			if end || i > 0 && strings.ContainsRune("未不难何", s[i-1].form()) {
				*x = reread(*x, "liao3")
			}
			continue
		case x.word:
		case literary[c] != "":
			*x = reread(*x, literary[c])
		case c == '那':
			*x = reread(*x, "na3")
			if i+1 < len(s) && strings.ContainsRune(thatBefore, s[i+1].form()) {
				*x = reread(*x, "na4")
			}
		}
		if x.Tone == 5 && !strings.ContainsRune(particles, c) {
			*x = reread(*x, fullTone(c, x.Pinyin))
		}
	}
}

// fullTone is the reading of c with a full tone that verse gives where
// prose has a neutral one: the same letters if the character has them (上
// shang4), else its first full reading (了 liao3, 着 zhuo2, 裳 chang2).
func fullTone(c rune, letters string) string {
	rs := pinyinData.chars[c]
	first := ""
	for _, r := range rs {
		if r[len(r)-1] == '5' {
			continue
		}
		if r[:len(r)-1] == letters {
			return r
		}
		if first == "" {
			first = r
		}
	}
	if first == "" {
		return letters + "5"
	}
	return first
}

// form is the character as the rules read it: its simplified form, so that
// a traditional text's neighbours (歸朝, 萬卷) decide as a simplified one's.
func (x Syllable) form() rune {
	if x.simple != 0 {
		return x.simple
	}
	return x.Char
}

// reread gives a syllable another reading, keeping how it was found.
func reread(x Syllable, p string) Syllable {
	y := syllable(x.Char, p)
	y.word, y.simple = x.word, x.simple
	return y
}

// chaoBefore and chaoAfter are the words in which verse's 朝 is the court
// or a dynasty, chao2 (朝廷, 早朝, 六朝): the characters that come after
// it, and before it. Anywhere else in a line of verse it is the morning,
// zhao1 (朝辞白帝, 渭城朝雨, 今朝, 明朝, 朝朝暮暮), which the everyday
// dictionaries, written for prose, put second.
const (
	chaoAfter  = "廷天宗衣臣班回服士市野政贡拜见觐会参堂中门列仪章省端簪冠元谒向代"
	chaoBefore = "早入上还归立在当本前南北六王皇圣唐汉宋清元临趋赴退罢"
)

func courtWord(syl []Syllable, i int) bool {
	return i+1 < len(syl) && strings.ContainsRune(chaoAfter, syl[i+1].form()) ||
		i > 0 && strings.ContainsRune(chaoBefore, syl[i-1].form())
}
