package sound

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"miaobi/hanzi"
	"miaobi/sound/pcm"
)

// Every reading of every character Miaobi knows spells in espeak-ng's
// Mandarin phonemes, in every tone.
func TestPhonemesCoverPinyin(t *testing.T) {
	seen := map[string]bool{}
	for _, text := range []string{"的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坐集编宝谈府拉黑且随格尽剑讲布杀微怕母调局根曾准团段终乐切级克精哪官示冷域假拍照"} {
		syl, err := hanzi.Pinyin(text)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range syl {
			if s.Pinyin == "" || seen[s.Pinyin] {
				continue
			}
			seen[s.Pinyin] = true
			for tone := 1; tone <= 5; tone++ {
				if _, err := Phonemes(s.Pinyin, tone); err != nil {
					t.Error(err)
				}
			}
		}
	}
	for _, c := range []struct {
		py   string
		tone int
		want string
	}{
		{"hang", 2, "x'A35N"}, {"xing", 2, "c'i35N"}, {"zhi", 1, "ts.'i.55"}, {"si", 1, "s'i[55"},
		{"yu", 3, "'y214"}, {"yuan", 2, "'yE35n"}, {"wo", 3, "'uo214"}, {"lv", 4, "l'y51"}, {"xue", 2, "c'yE35"},
		{"jiu", 3, "tc'jou214"}, {"de", 5, "t@11"},
	} {
		if got, err := Phonemes(c.py, c.tone); err != nil || got != c.want {
			t.Errorf("Phonemes(%s, %d) = %q, %v; want %q", c.py, c.tone, got, err, c.want)
		}
	}
	if _, err := Phonemes("xyz", 1); err == nil {
		t.Error("a syllable that is not pinyin spelled")
	}
}

// Verse is cut at its caesuras and lines; the last line slows.
func TestReciteUnits(t *testing.T) {
	r := Recitation{Lines: []string{"白日依山尽", "黄河入海流", "欲穷千里目", "更上一层楼"}, Verse: true}
	u, err := r.units()
	if err != nil {
		t.Fatal(err)
	}
	if len(u) != 8 {
		t.Fatalf("%d units, want 2 a line", len(u))
	}
	if len(strings.Fields(u[0].phonemes)) != 2 || len(strings.Fields(u[1].phonemes)) != 3 || u[1].pause <= u[0].pause || u[3].pause <= u[1].pause || !u[7].slow || u[5].slow {
		t.Errorf("units %+v", u)
	}
	if got := u[3].said; got != (Said{Line: 1, From: 2, To: 5}) {
		t.Errorf("unit 4 says %+v, want line 1 characters 2 to 5", got)
	}
	if _, err := (&Recitation{Lines: []string{"hello"}}).units(); err == nil {
		t.Error("a text without Chinese was recited")
	}
}

// Recite speaks with espeak-ng: the sound is about as long as its units
// and pauses, and normalised.
func TestRecite(t *testing.T) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("espeak-ng is needed (apt-get install espeak-ng)")
		}
		t.Skip("espeak-ng is not installed")
	}
	a, said, err := ReciteTimed(context.Background(), Recitation{Lines: []string{"床前明月光", "疑是地上霜"}, Verse: true})
	if err != nil {
		t.Fatal(err)
	}
	secs := float64(a.Frames()) / Rate
	// Four stretches (2+3 a line), in order, inside the sound, each long
	// enough for its characters, the voice loud where they are said.
	if len(said) != 4 {
		t.Fatalf("said %+v", said)
	}
	for i, s := range said {
		if s.End-s.Start < 0.15*float64(s.To-s.From) || s.End > secs || i > 0 && s.Start < said[i-1].End {
			t.Errorf("stretch %d: %+v", i, s)
		}
		seg := &pcm.Audio{Rate: a.Rate, Channels: 2, Samples: a.Samples[2*int(s.Start*Rate) : 2*int(s.End*Rate)]}
		if l, err := Measure(seg); err != nil || l.Integrated < TargetLUFS-8 {
			t.Errorf("stretch %d (%.2f–%.2f s) is quiet: %+v %v", i, s.Start, s.End, l, err)
		}
	}
	l, _ := Measure(a)
	if secs < 3 || secs > 12 || l.TruePeak > CeilingTP+1e-9 || l.Integrated < TargetLUFS-0.2 || l.Integrated > TargetLUFS+0.2 {
		t.Errorf("%.1f s, %+v", secs, l)
	}
}
